import ClusterFacts
import Foundation
import X509

/// `ssl_passphrase_command` as configured (or as the operator says it will be).
public struct PassphraseSetting: Hashable, Sendable {
    public var commandConfigured: Bool
    public var supportsReload: Bool
    public init(commandConfigured: Bool = false, supportsReload: Bool = false) {
        self.commandConfigured = commandConfigured
        self.supportsReload = supportsReload
    }
}

/// How one name a client uses fares against the certificate's SANs, the
/// way libpq's verify-full decides (SANs only when there are any, else the CN).
public struct NameCoverage: Hashable, Sendable, Codable {
    public var name: String
    public var covered: Bool
    public var by: String?
}

/// The result: what the files are, and what is wrong with them.
public struct CertificateReport: Sendable {
    public var certificatePath: String
    public var keyPath: String
    public var caPath: String?
    public var certificate: CertificateSummary?
    public var chain: [CertificateSummary]
    public var caCertificates: [CertificateSummary]
    public var key: KeyDescription?
    public var keyEncrypted: Bool
    public var keyMode: String?
    public var keyOwner: String?
    public var names: [NameCoverage]
    public var findings: [CertificateFinding]

    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
    /// Loadable, valid, and every name a client uses is covered.
    public var verifyFullReady: Bool { !hasErrors && names.allSatisfy(\.covered) && caPath != nil }
    public var worstSeverity: CertificateFinding.Severity? { findings.map(\.severity).max() }
}

/// Inspects the server's certificate, key and CA files against PostgreSQL's
/// rules and what clients with verify-full need. Pure: files are snapshots.
public struct CertificateInspection: Sendable {
    public var certificate: FileSnapshot
    public var key: FileSnapshot
    public var ca: FileSnapshot?
    public var serverUser: FileOwner
    public var names: [String]
    public var passphrase: PassphraseSetting
    public var now: Date
    public var expiryWarningDays: Int

    public init(certificate: FileSnapshot, key: FileSnapshot, ca: FileSnapshot?, serverUser: FileOwner, names: [String],
                passphrase: PassphraseSetting = PassphraseSetting(), now: Date, expiryWarningDays: Int = 30) {
        self.certificate = certificate
        self.key = key
        self.ca = ca
        self.serverUser = serverUser
        self.names = names
        self.passphrase = passphrase
        self.now = now
        self.expiryWarningDays = expiryWarningDays
    }

    public func run() -> CertificateReport {
        var report = CertificateReport(certificatePath: certificate.path, keyPath: key.path, caPath: ca?.path,
                                       certificate: nil, chain: [], caCertificates: [], key: nil, keyEncrypted: false,
                                       keyMode: key.kind == .missing ? nil : key.modeText,
                                       keyOwner: key.kind == .missing ? nil : key.ownerName, names: [], findings: [])
        let leafChain = loadCertificates(certificate, role: .certificate, into: &report)
        let privateKey = loadKey(into: &report)
        report.findings += KeyFilePermissions.findings(for: key, serverUser: serverUser)
        let authorities = ca.flatMap { loadCertificates($0, role: .ca, into: &report) } ?? []
        if ca == nil { report.findings.append(.noCAFile) }
        report.caCertificates = authorities.map(CertificateSummary.init)

        guard let leaf = leafChain?.first else { return report }
        let summary = CertificateSummary(leaf)
        report.certificate = summary
        report.chain = leafChain!.dropFirst().map(CertificateSummary.init)
        if let privateKey, privateKey.publicKey != leaf.publicKey {
            report.findings.append(.keyMismatch(certificate: certificate.path, key: key.path))
        }
        checkValidity(summary, into: &report)
        if summary.usesSHA1 { report.findings.append(.sha1Signature(path: certificate.path)) }
        if let bits = summary.key?.bits, summary.key?.isWeak == true {
            report.findings.append(.weakRSA(.certificate, path: certificate.path, bits: bits))
        }
        if let ca, !authorities.isEmpty {
            if !ChainCheck.verifies(leaf: leaf, intermediates: Array(leafChain!.dropFirst()), authorities: authorities) {
                report.findings.append(.chainNotVerified(certificate: certificate.path, ca: ca.path))
            }
            // A self-signed leaf that is its own root.crt is reported once, as the certificate.
            for authority in authorities where authority.notValidAfter < now && authority != leaf {
                report.findings.append(.caExpired(path: ca.path, subject: authority.subject.description))
            }
        }
        report.names = names.map { NameMatching.coverage(of: $0, by: summary) }
        for coverage in report.names where !coverage.covered {
            report.findings.append(.nameNotCovered(path: certificate.path, name: coverage.name))
        }
        return report
    }

    private func loadCertificates(_ file: FileSnapshot, role: SSLFileRole, into report: inout CertificateReport) -> [Certificate]? {
        guard let bytes = readable(file, role: role, into: &report) else { return nil }
        switch LoadedCertificates.load(bytes) {
        case .certificates(let certificates): return certificates
        case .weakRSA(let bits): report.findings.append(.weakRSA(role, path: file.path, bits: bits))
        case .noCertificate: report.findings.append(.noCertificateInFile(role, path: file.path))
        case .garbage: report.findings.append(.notPEM(role, path: file.path))
        }
        return nil
    }

    private func loadKey(into report: inout CertificateReport) -> Certificate.PrivateKey? {
        guard let bytes = readable(key, role: .key, into: &report) else { return nil }
        switch LoadedKey.load(bytes) {
        case .key(let privateKey):
            report.key = KeyDescription(privateKey.publicKey)
            return privateKey
        case .encrypted:
            report.keyEncrypted = true
            if !passphrase.commandConfigured {
                report.findings.append(.encryptedKeyWithoutCommand(path: key.path))
            } else if !passphrase.supportsReload {
                report.findings.append(.encryptedKeyCannotReload(path: key.path))
            }
        case .weakRSA(let bits):
            report.key = KeyDescription(algorithm: "RSA", bits: bits)
            report.findings.append(.weakRSA(.key, path: key.path, bits: bits))
        case .garbage:
            report.findings.append(.notPEM(.key, path: key.path))
        }
        return nil
    }

    private func readable(_ file: FileSnapshot, role: SSLFileRole, into report: inout CertificateReport) -> [UInt8]? {
        switch file.kind {
        case .missing: report.findings.append(.fileMissing(role, path: file.path))
        case .other: report.findings.append(.notRegularFile(role, path: file.path))
        case .unreadable: report.findings.append(.unreadable(role, path: file.path))
        case .regular: return file.bytes ?? []
        }
        return nil
    }

    private func checkValidity(_ summary: CertificateSummary, into report: inout CertificateReport) {
        if summary.notAfter <= now {
            report.findings.append(.expired(path: certificate.path, notAfter: summary.notAfter))
        } else if summary.notBefore > now {
            report.findings.append(.notYetValid(path: certificate.path, notBefore: summary.notBefore))
        } else {
            let days = Int(summary.notAfter.timeIntervalSince(now) / 86_400)
            if days < expiryWarningDays {
                report.findings.append(.expiresSoon(path: certificate.path, days: days, notAfter: summary.notAfter))
            }
        }
    }
}
