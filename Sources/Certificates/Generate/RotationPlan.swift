import Foundation

/// What to do about a certificate that expires soon (or has expired): new
/// files next to the old ones (backed up), then a reload, because
/// PostgreSQL re-reads its SSL files on reload (since version 10).
public struct RotationPlan: Hashable, Sendable {
    public var steps: [String]

    /// nil when the certificate is not near its end.
    public static func make(for report: CertificateReport, dataDirectory: String?) -> RotationPlan? {
        guard let certificate = report.certificate,
              report.findings.contains(where: { if case .expiresSoon = $0 { return true }; if case .expired = $0 { return true }; return false })
        else { return nil }
        let names = certificate.dnsNames.map { "--dns \($0)" } + certificate.ipAddresses.map { "--ip \($0)" }
        let mode = certificate.isSelfSigned ? "--self-signed" : "--ca"
        let directory = dataDirectory ?? (report.certificatePath as NSString).deletingLastPathComponent
        var steps = [
            "pg-ssl-wizard certs generate \(mode) \(names.joined(separator: " ")) --out \(directory) --dry-run   (review)",
            "pg-ssl-wizard certs generate \(mode) \(names.joined(separator: " ")) --out \(directory)   (old files kept as .bak-<time>)",
            "SELECT pg_reload_conf();   (SSL files are re-read on reload; existing sessions keep their TLS)",
            "check: a new sslmode=verify-full connection serves the new certificate (pg-ssl-wizard certs inspect CONNINFO)",
        ]
        if !certificate.isSelfSigned {
            steps.insert("if the certificate came from an enterprise CA instead: certs generate --csr, then certs import", at: 2)
        }
        return RotationPlan(steps: steps)
    }
}
