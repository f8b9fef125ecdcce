import Executor
import Foundation
import HostIO
@testable import PlanningInputs
import PostgresClient
import Testing
import TestSupport

/// The phase A proof against a real server, the fingerprint checked by
/// `openssl x509 -fingerprint -sha256` on the certificate file (the oracle).
struct ServedCertificateTests {
    static func oracle(_ path: String) throws -> String {
        let output = try ProcessRunner.checked("openssl", ["x509", "-in", path, "-noout", "-fingerprint", "-sha256"])
        return String(output.stdout.split(separator: "=", maxSplits: 1)[1]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The operator's own TLS session stands for the probe only where the
    /// server sees it as TLS too (its own `pg_stat_ssl` row): TLS that ends
    /// at a relay in front of the server proves nothing of the server's.
    @Test func theOwnSessionIsTheProbeOnlyWhereTheServerSeesTLS() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            let connection = try Connection.connect(try ConnectionTarget(cluster.tcpConninfo(sslmode: "require")))
            defer { connection.close() }
            var snapshot = try ServerInspector(connection: connection).snapshot()
            let own = try #require(snapshot.sessions.firstIndex { $0.pid == snapshot.own.pid })
            let served = try #require(connection.peerCertificateDER)
            #expect(SnapshotWithTLS.ownTLS(connection, snapshot: snapshot) == served)
            // As the server sees a session whose TLS ended at a relay: plain text.
            snapshot.sessions[own].ssl = false
            #expect(SnapshotWithTLS.ownTLS(connection, snapshot: snapshot) == nil)
        }
    }

    @Test func fingerprintByLibpqAndWithoutALoginByOpenSSL() async throws {
        try await TestCluster.with { cluster in
            let certificate = try cluster.enableSSL()
            let expected = try Self.oracle(certificate.certificatePath)

            let withPassword = ServedCertificate.probe(host: "127.0.0.1", port: cluster.port, target: try ConnectionTarget(cluster.tcpConninfo()), keyShare: nil)
            guard case .served(let fingerprint, let version, let via) = withPassword else {
                Issue.record("no handshake: \(withPassword)")
                return
            }
            #expect(fingerprint == expected && via == "libpq" && version?.hasPrefix("TLSv1.") == true)

            // Over the socket there is no TCP password: libpq cannot log in, the STARTTLS handshake still sees the certificate.
            let noLogin = ServedCertificate.probe(host: "127.0.0.1", port: cluster.port, target: try ConnectionTarget(cluster.socketConninfo), keyShare: nil)
            guard case .served(let fallbackFingerprint, let fallbackVersion, let fallbackVia) = noLogin else {
                Issue.record("no handshake: \(noLogin)")
                return
            }
            #expect(fallbackFingerprint == expected && fallbackVia == ServedCertificate.via && fallbackVersion?.hasPrefix("TLSv1.") == true)

            try cluster.sql("ALTER SYSTEM SET ssl = off")
            try cluster.reload()
            try cluster.waitFor("ssl off") { try cluster.sql("SHOW ssl").rows.first?.string("ssl") == "off" }
            let off = ServedCertificate.probe(host: "127.0.0.1", port: cluster.port, target: try ConnectionTarget(cluster.tcpConninfo()), keyShare: nil)
            guard case .noHandshake(let reason) = off else {
                Issue.record("ssl is off, yet a handshake was reported: \(off)")
                return
            }
            #expect(reason.contains("server does not support SSL"))
        }
    }
}
