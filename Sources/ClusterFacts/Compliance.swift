import Foundation

/// What auditors ask about transport encryption, each item with its
/// result and the evidence behind it (docs/POSTGRES.md, "Compliance
/// items"). The numbers and titles are the editions named in `standard`;
/// where an item asks for something the wizard does not look at, it says
/// "not covered" instead of passing it.
public struct ComplianceItem: Codable, Hashable, Sendable {
    public enum Result: String, Codable, Hashable, Sendable {
        case pass, fail
        case notApplicable = "not_applicable"
        case notCovered = "not_covered"
    }

    public var standard: String
    public var item: String
    public var title: String
    public var result: Result
    public var evidence: String
}

/// The facts the items are judged on, read live (`status`) or by a run's confirmation (the report).
public struct ComplianceFacts: Hashable, Sendable {
    public var sslOn: Bool
    /// A real TLS handshake worked.
    public var tlsWorks: Bool
    public var minimumTLS: String
    /// The live sslmode=disable login over TCP: refused (true), admitted (false), not tried (nil), with what it said.
    public var plainLoginRefused: Bool?
    public var plainLoginEvidence: String
    /// Walsenders by standby name, and whether each streams over SSL.
    public var walsenders: [(name: String, ssl: Bool)]
    /// Problems with the server key file's owner or mode; nil when it could not be looked at (another host).
    public var keyFileProblems: [String]?
    public var certificateExpiry: CertificateExpiry?

    public init(sslOn: Bool, tlsWorks: Bool, minimumTLS: String, plainLoginRefused: Bool?, plainLoginEvidence: String,
                walsenders: [(name: String, ssl: Bool)], keyFileProblems: [String]?, certificateExpiry: CertificateExpiry?) {
        self.sslOn = sslOn
        self.tlsWorks = tlsWorks
        self.minimumTLS = minimumTLS
        self.plainLoginRefused = plainLoginRefused
        self.plainLoginEvidence = plainLoginEvidence
        self.walsenders = walsenders
        self.keyFileProblems = keyFileProblems
        self.certificateExpiry = certificateExpiry
    }

    public static func == (a: ComplianceFacts, b: ComplianceFacts) -> Bool {
        a.sslOn == b.sslOn && a.tlsWorks == b.tlsWorks && a.minimumTLS == b.minimumTLS && a.plainLoginRefused == b.plainLoginRefused
            && a.walsenders.map(\.name) == b.walsenders.map(\.name) && a.walsenders.map(\.ssl) == b.walsenders.map(\.ssl)
            && a.keyFileProblems == b.keyFileProblems && a.certificateExpiry == b.certificateExpiry
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(sslOn); hasher.combine(minimumTLS) }
}

public enum Compliance {
    static let cis16 = "CIS PostgreSQL 16 Benchmark v1.1.0"
    static let cis17 = "CIS PostgreSQL 17 Benchmark v1.0.0"
    static let stig = "DISA Crunchy Data PostgreSQL STIG V3R1"
    static let pci = "PCI DSS v4.0"

    public static func items(_ facts: ComplianceFacts) -> [ComplianceItem] {
        let tls = facts.sslOn && facts.tlsWorks
        let tlsEvidence = "ssl = \(facts.sslOn ? "on" : "off"); a real TLS handshake \(facts.tlsWorks ? "completed" : "did not complete")"
        let floor = TLSVersions.rank(facts.minimumTLS)
        let floorEvidence = "ssl_min_protocol_version = \(facts.minimumTLS)"
        let plain: ComplianceItem.Result = facts.plainLoginRefused == nil ? .notApplicable : (facts.plainLoginRefused == true && tls ? .pass : .fail)
        let hostEvidence = "sslmode=disable login over TCP: \(facts.plainLoginEvidence); sslmode=require: \(facts.tlsWorks ? "TLS handshake completed" : "no TLS")"
        let replication: ComplianceItem.Result = facts.walsenders.isEmpty ? .notApplicable : facts.walsenders.allSatisfy(\.ssl) ? .pass : .fail
        let replicationEvidence = facts.walsenders.isEmpty ? "no standby streams from this server"
            : facts.walsenders.map { "\($0.name.isEmpty ? "standby" : $0.name): \($0.ssl ? "SSL" : "no SSL")" }.joined(separator: ", ")
        let transmission: ComplianceItem.Result = tls && facts.plainLoginRefused == true ? .pass : .fail
        let key: ComplianceItem.Result = facts.keyFileProblems.map { $0.isEmpty ? .pass : .fail } ?? .notCovered
        let keyEvidence = facts.keyFileProblems.map { $0.isEmpty ? "the server key file's owner and mode pass PostgreSQL's own check" : $0.joined(separator: "; ") }
            ?? "the key file is on another host: not looked at"
        let certificate: ComplianceItem.Result
        let certificateEvidence: String
        if let expiry = facts.certificateExpiry {
            certificate = expiry.notAfter.timeIntervalSinceNow <= 0 ? .fail : .pass
            certificateEvidence = expiry.text + "; revocation is not checked"
        } else {
            certificate = .fail
            certificateEvidence = "no certificate was served"
        }
        let noFallback: ComplianceItem.Result = tls && floor >= TLSVersions.rank("TLSv1.2") && facts.plainLoginRefused == true ? .pass : .fail
        let notCovered = "client certificates (PKI authentication) are outside what the wizard configures or checks"
        return [
            ComplianceItem(standard: cis16, item: "6.8", title: "Ensure TLS is enabled and configured correctly", result: tls ? .pass : .fail, evidence: tlsEvidence),
            ComplianceItem(standard: cis16, item: "6.9", title: "Ensure the TLSv1.0 and TLSv1.1 Protocols are Disabled",
                           result: floor >= TLSVersions.rank("TLSv1.2") ? .pass : .fail, evidence: floorEvidence),
            ComplianceItem(standard: cis16, item: "5.4", title: "Ensure login via \"host\" TCP/IP Socket is configured correctly", result: plain, evidence: hostEvidence),
            ComplianceItem(standard: cis16, item: "7.5", title: "Ensure streaming replication parameters are configured correctly",
                           result: replication, evidence: replicationEvidence),
            ComplianceItem(standard: cis17, item: "6.8", title: "Ensure TLS is enabled and configured correctly", result: tls ? .pass : .fail, evidence: tlsEvidence),
            ComplianceItem(standard: cis17, item: "6.9", title: "Ensure that TLSv1.3, or later, is configured",
                           result: floor >= TLSVersions.rank("TLSv1.3") ? .pass : .fail, evidence: floorEvidence),
            ComplianceItem(standard: cis17, item: "5.4", title: "Ensure login via \"host\" TCP/IP Socket is configured correctly", result: plain, evidence: hostEvidence),
            ComplianceItem(standard: cis17, item: "7.5", title: "Ensure streaming replication parameters are configured correctly",
                           result: replication, evidence: replicationEvidence),
            ComplianceItem(standard: stig, item: "V-233579 (CD12-00-007200)",
                           title: "PostgreSQL must maintain the confidentiality and integrity of information during preparation for transmission.",
                           result: transmission, evidence: tlsEvidence + "; " + hostEvidence),
            ComplianceItem(standard: stig, item: "V-233538 (CD12-00-003000)",
                           title: "PostgreSQL must maintain the confidentiality and integrity of information during reception.",
                           result: transmission, evidence: tlsEvidence + "; " + hostEvidence),
            ComplianceItem(standard: stig, item: "V-233602 (CD12-00-010200)",
                           title: "PostgreSQL must enforce authorized access to all PKI private keys stored/utilized by PostgreSQL.", result: key, evidence: keyEvidence),
            ComplianceItem(standard: stig, item: "V-233577 (CD12-00-007000)",
                           title: "PostgreSQL, when utilizing PKI-based authentication, must validate certificates by performing RFC 5280-compliant certification path validation.",
                           result: .notCovered, evidence: notCovered),
            ComplianceItem(standard: stig, item: "V-233603 (CD12-00-010300)",
                           title: "PostgreSQL must only accept end entity certificates issued by DoD PKI or DoD-approved PKI Certification Authorities (CAs) for the establishment of all encrypted sessions.",
                           result: .notCovered, evidence: notCovered),
            ComplianceItem(standard: stig, item: "V-233615 (CD12-00-011800)",
                           title: "PostgreSQL must map the PKI-authenticated identity to an associated user account.", result: .notCovered, evidence: notCovered),
            ComplianceItem(standard: pci, item: "4.2.1 (certificates)",
                           title: "Certificates used to safeguard PAN during transmission over open, public networks are confirmed as valid and are not expired or revoked.",
                           result: certificate, evidence: certificateEvidence),
            ComplianceItem(standard: pci, item: "4.2.1 (protocol)",
                           title: "The protocol in use supports only secure versions or configurations and does not support fallback to, or use of insecure versions, algorithms, key sizes, or implementations.",
                           result: noFallback, evidence: floorEvidence + "; " + hostEvidence),
        ]
    }

    /// "PASS  CIS PostgreSQL 16 Benchmark v1.1.0 6.8 Ensure ...: evidence" lines.
    public static func text(_ items: [ComplianceItem]) -> [String] {
        items.map { item in
            let mark: String
            switch item.result {
            case .pass: mark = "PASS"
            case .fail: mark = "FAIL"
            case .notApplicable: mark = "N/A "
            case .notCovered: mark = "NOT COVERED"
            }
            return "\(mark)  \(item.standard) \(item.item): \(item.title) (\(item.evidence))"
        }
    }
}
