import Certificates
import ClusterFacts
import Foundation
import HostIO
import PostgresClient

/// Phase A's proof: a real TLS handshake with the server, and the SHA-256
/// fingerprint of the certificate it served. libpq with `sslmode=require`
/// first (the way clients connect); when that connection cannot log in (the
/// operator came over the unix socket and has no TCP password), OpenSSL's
/// own PostgreSQL STARTTLS handshake, which needs no login at all.
public enum ServedCertificate {
    public enum Outcome: Hashable, Sendable {
        case served(fingerprint: String, protocolVersion: String?, via: String)
        case noHandshake(String)
    }

    public static func probe(host: String, port: Int, target: ConnectionTarget, timeoutSeconds: Int = 5) -> Outcome {
        let tls = target.with("host", host).with("hostaddr", host).with("port", String(port)).with("sslmode", "require")
        var libpqFailure = ""
        do {
            let connection = try Connection.connect(tls, timeoutSeconds: timeoutSeconds)
            defer { connection.close() }
            if connection.sslInUse, let der = connection.peerCertificateDER {
                return .served(fingerprint: Fingerprint.sha256(der), protocolVersion: connection.sslAttribute("protocol"), via: "libpq")
            }
            libpqFailure = "the connection is not encrypted"
        } catch {
            libpqFailure = operatorMessage(for: error)
        }
        let fallback = withoutLogin(host: host, port: port, timeoutSeconds: timeoutSeconds)
        if case .noHandshake(let reason) = fallback { return .noHandshake("libpq: \(libpqFailure); \(reason)") }
        return fallback
    }

    /// OpenSSL's PostgreSQL STARTTLS handshake alone: no login needed.
    public static func withoutLogin(host: String, port: Int, timeoutSeconds: Int = 5) -> Outcome {
        guard let (block, pem) = handshake(host: host, port: port, timeoutSeconds: timeoutSeconds) else {
            return .noHandshake("openssl s_client -starttls postgres completed no handshake")
        }
        // "New, TLSv1.3, Cipher is ..." names the negotiated version.
        let version = pem.stdout.split(separator: "\n").first { $0.hasPrefix("New, ") }
            .flatMap { $0.split(separator: ",").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } }
        return .served(fingerprint: Fingerprint.sha256(block.der), protocolVersion: version, via: "openssl s_client")
    }

    /// The served certificate (DER) from a STARTTLS handshake, for a caller that could not log in.
    public static func derWithoutLogin(host: String, port: Int, timeoutSeconds: Int = 5) -> [UInt8]? {
        handshake(host: host, port: port, timeoutSeconds: timeoutSeconds)?.block.der
    }

    private static func handshake(host: String, port: Int, timeoutSeconds: Int) -> (block: PEMBlock, output: ProcessOutput)? {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard let output = try? ProcessRunner.run("openssl", ["s_client", "-starttls", "postgres", "-connect", address, "-showcerts"],
                                                  input: "", timeoutSeconds: Double(timeoutSeconds + 5)),
              let block = PEMFile.blocks(Array(output.stdout.utf8))?.first(where: { $0.label == "CERTIFICATE" }) else { return nil }
        return (block, output)
    }
}
