import ClusterFacts
import Foundation

/// Text and JSON for `certs inspect`. JSON keys are explicit snake_case: a
/// contract for scripts.
public enum CertificateRender {
    struct Document: Encodable {
        var certificate_file: String
        var key_file: String
        var ca_file: String?
        var certificate: Summary?
        var chain: [Summary]
        var ca_certificates: [Summary]
        var key: String?
        var key_encrypted: Bool
        var key_mode: String?
        var key_owner: String?
        var names: [Name]
        var verify_full_ready: Bool
        var findings: [Finding]
        var rotation: [String]?
    }

    struct Summary: Encodable {
        var subject, issuer, serial_number, not_before, not_after, signature_algorithm, sha256_fingerprint: String
        var dns_names, ip_addresses: [String]
        var key: String?
        var is_ca, self_signed: Bool

        init(_ s: CertificateSummary) {
            subject = s.subject; issuer = s.issuer; serial_number = s.serialNumber
            not_before = iso(s.notBefore); not_after = iso(s.notAfter)
            signature_algorithm = s.signatureAlgorithm; sha256_fingerprint = s.sha256Fingerprint
            dns_names = s.dnsNames; ip_addresses = s.ipAddresses; key = s.key?.description
            is_ca = s.isCertificateAuthority; self_signed = s.isSelfSigned
        }
    }

    struct Name: Encodable { var name: String; var covered: Bool; var by: String? }
    struct Finding: Encodable { var severity: String; var code: String; var message: String }

    public static func json(_ report: CertificateReport, rotation: RotationPlan?) -> String {
        let document = Document(
            certificate_file: report.certificatePath, key_file: report.keyPath, ca_file: report.caPath,
            certificate: report.certificate.map(Summary.init), chain: report.chain.map(Summary.init),
            ca_certificates: report.caCertificates.map(Summary.init), key: report.key?.description,
            key_encrypted: report.keyEncrypted, key_mode: report.keyMode, key_owner: report.keyOwner,
            names: report.names.map { Name(name: $0.name, covered: $0.covered, by: $0.by) },
            verify_full_ready: report.verifyFullReady,
            findings: report.findings.map { Finding(severity: $0.severity.rawValue, code: $0.code, message: $0.message) },
            rotation: rotation?.steps)
        return ReportJSON.text(document)
    }

    public static func text(_ report: CertificateReport, rotation: RotationPlan?) -> String {
        var lines: [String] = []
        lines.append("certificate  \(report.certificatePath)")
        if let c = report.certificate {
            lines.append("  subject    \(c.subject)")
            lines.append("  issuer     \(c.issuer)\(c.isSelfSigned ? " (self-signed)" : "")")
            lines.append("  serial     \(c.serialNumber)")
            lines.append("  valid      \(iso(c.notBefore)) .. \(iso(c.notAfter))")
            lines.append("  SANs       \((c.dnsNames.map { "DNS:\($0)" } + c.ipAddresses.map { "IP:\($0)" }).joined(separator: ", "))")
            lines.append("  key        \(c.key?.description ?? "unknown"), signed \(c.signatureAlgorithm)")
            lines.append("  sha256     \(c.sha256Fingerprint)")
        }
        lines.append("private key  \(report.keyPath)" + (report.keyMode.map { "  mode \($0)" } ?? "")
                     + (report.keyOwner.map { "  owner \($0)" } ?? "") + (report.keyEncrypted ? "  (passphrase-protected)" : ""))
        lines.append("CA           \(report.caPath ?? "(none)")" + report.caCertificates.map { "\n  \($0.subject)" }.joined())
        if !report.names.isEmpty {
            lines.append("names clients use (verify-full)")
            for name in report.names {
                lines.append("  \(name.covered ? "ok     " : "MISSING") \(name.name)\(name.by.map { "  (\($0))" } ?? "")")
            }
        }
        if report.findings.isEmpty {
            lines.append("no problems found")
        } else {
            for finding in report.findings.sorted(by: { $0.severity > $1.severity }) {
                lines.append("\(finding.severity.rawValue.uppercased()): \(finding.message)")
            }
        }
        if let rotation {
            lines.append("rotation plan:")
            lines += rotation.steps.enumerated().map { "  \($0.offset + 1). \($0.element)" }
        }
        return lines.joined(separator: "\n")
    }
}

func iso(_ date: Date) -> String { UTCText.iso8601(date) }
