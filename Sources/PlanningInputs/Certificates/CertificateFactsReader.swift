import Certificates
import ClusterFacts
import Enforcement
import Foundation
import HostIO

/// The certificate step's facts: the inspection of the server's own files
/// when this host is the server's, else what a TLS handshake showed.
public enum CertificateFactsReader {
    /// Findings that stop the server's TLS (or clients with verify-full) and
    /// need new files; names, chain and CA expiry only warn.
    static let warningsOnly: Set<String> = ["name-not-covered", "chain-not-verified", "ca-expired", "expires-soon",
                                            "encrypted-key-no-reload", "sha1-signature", "no-ca-file"]
    static let permissionCodes: Set<String> = ["key-mode", "key-owner"]

    public static func read(_ snapshot: ClusterSnapshot, files: ServerSSLFiles, tls: TLSObservation, names: [String], now: Date) -> CertificateFacts {
        guard snapshot.fileAccess.sameHostVerified else {
            if tls.works {
                return CertificateFacts(condition: .usable, certificatePath: files.certificate, keyPath: files.key, caPath: files.ca,
                                        fingerprint: tls.servedFingerprint,
                                        warnings: ["the certificate files are not reachable from here; judged by the TLS handshake only"])
            }
            return CertificateFacts(condition: .broken, certificatePath: files.certificate, keyPath: files.key, caPath: files.ca,
                                    problems: ["the certificate files are not reachable from here and no TLS handshake succeeds; run the wizard on the database host"])
        }
        let key = FileSnapshots.read(files.key)
        let report = CertificateInspection(certificate: FileSnapshots.read(files.certificate), key: key,
                                           ca: files.ca.map(FileSnapshots.read), serverUser: files.serverUser, names: names,
                                           passphrase: files.passphrase, now: now).run()
        let errors = report.findings.filter { $0.severity == .error && !warningsOnly.contains($0.code) }
        let warnings = report.findings.filter { warningsOnly.contains($0.code) && $0.severity != .note }.map(\.message)
        let blocking = errors.filter { !permissionCodes.contains($0.code) }
        let condition: CertificateFacts.Condition
        if errors.isEmpty {
            condition = .usable
        } else if !blocking.isEmpty && blocking.allSatisfy({ $0.code == "file-missing" }) {
            condition = .missing
        } else {
            condition = .broken
        }
        var fix: KeyPermissionFix?
        var problems = blocking.map(\.message)
        if blocking.isEmpty && !errors.isEmpty {
            // Giving someone else's key to the server's user is only done where such a file may be.
            let serverUser = OSUser.lookup(uid: files.serverUser.uid)
            if key.ownerUID != files.serverUser.uid, let problem = CertificatePlacement.problem(files.key, owner: serverUser, serverUser: serverUser) {
                problems.append(problem + "; narrow the key yourself (chmod 0640, group of the server's user) or point ssl_key_file into the data directory")
            } else {
                fix = KeyPermissionFix(path: files.key, currentMode: key.mode, currentOwner: key.ownerName, owner: files.serverUser.name)
            }
        }
        var facts = CertificateFacts(condition: problems.isEmpty ? condition : .broken, certificatePath: files.certificate, keyPath: files.key,
                                     caPath: files.ca, fingerprint: report.certificate?.sha256Fingerprint, problems: problems, warnings: warnings,
                                     keyPermissionFix: fix)
        facts.subject = report.certificate?.subject
        facts.notAfter = report.certificate?.notAfter
        facts.caVerifiesServer = caVerifiesServer(report, caPath: files.ca)
        return facts
    }

    /// Whether clients could verify the server with its `ssl_ca_file`: a CA
    /// that loaded, under which the certificate's chain verifies. A CA file
    /// that loads nothing (not PEM, no certificate, unreadable) verifies
    /// nothing; it used to count, for want of a chain finding, and the
    /// confirmation then ran a verify-full test against it.
    static func caVerifiesServer(_ report: CertificateReport, caPath: String?) -> Bool {
        caPath != nil && report.certificate != nil && !report.caCertificates.isEmpty
            && !report.findings.contains { $0.code == "chain-not-verified" || $0.code == "no-ca-file" }
    }

    /// Why the planned files may not be written where they would go (CertificatePlacement).
    static func placementProblems(_ replacement: CertificateReplacement, serverUser: FileOwner) -> [String] {
        let server = OSUser.lookup(uid: serverUser.uid)
        // Files without an owner are the wizard's own (the local CA in its state directory).
        return replacement.files.filter { $0.owner != nil }.compactMap { file in
            CertificatePlacement.problem(file.path, owner: file.owner.flatMap(OSUser.named), serverUser: server)
        }
    }

    /// New files at the paths the server already uses. The root
    /// certificate clients verify the server with is a client-side file: it
    /// goes to the wizard's state directory for the operator to hand out.
    /// `ssl_ca_file` is the CA the server trusts for *client* certificates
    /// (docs/POSTGRES.md, "The client CA"): neither its file nor the setting
    /// is touched, or every certificate-authenticated client would be
    /// refused, and setting it would make the server ask every client for a
    /// certificate.
    static func replacement(_ mode: CertificateSource, files: ServerSSLFiles, names: [String], clientDirectory: String) -> CertificateReplacement {
        let owner = files.serverUser.name
        let rootPath = clientDirectory + "/root.crt"
        var planned = [
            CertificateReplacement.File(role: .serverKey, path: files.key, purpose: "server private key", mode: 0o600, owner: owner, isSecret: true),
            CertificateReplacement.File(role: .serverCertificate, path: files.certificate, purpose: "server certificate (\(mode.rawValue))", mode: 0o644, owner: owner, isSecret: false),
            CertificateReplacement.File(role: .rootCertificate, path: rootPath,
                                        purpose: (mode == .selfSigned ? "the certificate itself" : "the local CA's certificate")
                                            + ": root.crt for clients to verify the server with (sslmode=verify-full); not the server's ssl_ca_file",
                                        mode: 0o644, owner: nil, isSecret: false),
        ]
        if mode == .localCA {
            let directory = StateDirectory.localAuthority()
            planned.insert(CertificateReplacement.File(role: .authorityKey, path: directory + "/ca.key", purpose: "local CA key (outside the data directory; reused if present)",
                                                       mode: 0o600, owner: nil, isSecret: true), at: 0)
            planned.insert(CertificateReplacement.File(role: .authorityCertificate, path: directory + "/ca.crt", purpose: "local CA certificate", mode: 0o644, owner: nil, isSecret: false), at: 1)
        }
        return CertificateReplacement(mode: mode, names: names, files: planned, settings: [:])
    }
}
