import Certificates
import ClusterFacts
import Foundation
import HostIO
import PostgresClient

/// Phase A's proof: a real TLS handshake with the server, and the SHA-256
/// fingerprint of the certificate it served. libpq with `sslmode=require`
/// first (the way clients connect); when that connection cannot log in (the
/// operator came over the unix socket and has no TCP password), the
/// PostgreSQL STARTTLS handshake alone, in process, which needs no login.
public enum ServedCertificate {
    public enum Outcome: Hashable, Sendable {
        case served(fingerprint: String, protocolVersion: String?, via: String)
        case noHandshake(String)
    }

    /// `login: false` (an operator who has libpq verify the server): the
    /// handshake without login alone, so the operator's credentials never go
    /// over this connection's TLS, which verifies nothing (the fingerprint is
    /// the proof, compared by the caller).
    /// `keyShare`: the server's own key-exchange group first, for the handshake without login.
    public static func probe(host: String, port: Int, target: ConnectionTarget, login: Bool = true, timeoutSeconds: Int = 5,
                             keyShare: KeyShareGroup?) -> Outcome {
        guard login else { return withoutLogin(host: host, port: port, timeoutSeconds: timeoutSeconds, keyShare: keyShare) }
        // No GSS encryption: with Kerberos credentials libpq would try it first and, where it
        // succeeds, never show a certificate; without them, it still reads the Kerberos setup.
        let tls = target.with("host", host).with("hostaddr", host).with("port", String(port)).with("sslmode", "require")
            .with("gssencmode", "disable")
        // The handshake without login starts at once: an operator on the socket usually has no TCP
        // password, so libpq's attempt fails after its handshake and this one is needed anyway.
        let fallback = Concurrent.start { withoutLogin(host: host, port: port, timeoutSeconds: timeoutSeconds, keyShare: keyShare) }
        var libpqFailure = ""
        do {
            let connection = try Connection.connect(tls, timeoutSeconds: timeoutSeconds)
            defer { connection.close() }
            if connection.sslInUse, let der = connection.peerCertificateDER {
                // The other handshake is waited for (its own deadline bounds it): no thread outlives the probe.
                _ = fallback.value()
                return .served(fingerprint: Fingerprint.sha256(der), protocolVersion: connection.sslAttribute("protocol"), via: "libpq")
            }
            libpqFailure = "the connection is not encrypted"
        } catch {
            libpqFailure = operatorMessage(for: error)
        }
        let outcome = fallback.value()
        if case .noHandshake(let reason) = outcome { return .noHandshake("libpq: \(libpqFailure); \(reason)") }
        return outcome
    }

    /// PostgreSQL's STARTTLS handshake alone, in process: no login needed.
    public static func withoutLogin(host: String, port: Int, timeoutSeconds: Int = 5, keyShare: KeyShareGroup?) -> Outcome {
        switch StartTLSHandshake.handshake(host: host, port: port, timeoutSeconds: timeoutSeconds, keyShare: keyShare) {
        case .success(let served):
            return .served(fingerprint: Fingerprint.sha256(served.certificateDER), protocolVersion: served.protocolVersion, via: via)
        case .failure(let failure):
            return .noHandshake("STARTTLS: \(failure.reason)")
        }
    }

    /// How the journal and the report name the handshake without login.
    public static let via = "STARTTLS in process"

    /// The served certificate (DER) from a STARTTLS handshake, for a caller that could not log in.
    public static func derWithoutLogin(host: String, port: Int, timeoutSeconds: Int = 5, keyShare: KeyShareGroup?) -> [UInt8]? {
        try? StartTLSHandshake.handshake(host: host, port: port, timeoutSeconds: timeoutSeconds, keyShare: keyShare).get().certificateDER
    }
}
