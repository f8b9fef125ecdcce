import Foundation
import PostgresClient
import Testing
import TestSupport

/// What the confirm step's verify-full test counts as a verified server:
/// libpq's TLS session, not the wording of its error. The wording rule it
/// replaces counted any error that named no certificate, SSL or "could not
/// connect" as verified, and libpq 14+ says a refused connection is
/// "Connection refused"; it counted a server that wants a client
/// certificate as unverified.
struct HandshakeOutcomeTests {
    @Test func onlyAVerifiedHandshakeCounts() async throws {
        try await TestCluster.withPrivateLoopback { cluster in
            let certificate = try cluster.enableSSL()
            try cluster.writeHBA("local all all trust\nhostssl all postgres 127.0.0.1/32 trust\n")
            try cluster.reload()
            func outcome(_ name: String, root: String = certificate.caPath, port: Int = cluster.port, database: String = "postgres") throws -> HandshakeOutcome {
                let target = try ConnectionTarget("host=\(name) hostaddr=127.0.0.1 port=\(port) user=postgres dbname=\(database)")
                    .with("sslmode", "verify-full").with("sslrootcert", root).with("gssencmode", "disable")
                return Connection.handshakeOutcome(target, timeoutSeconds: 5)
            }
            func kind(_ outcome: HandshakeOutcome) -> String {
                switch outcome {
                case .connected: return "connected"
                case .endedAfterTheHandshake: return "after"
                case .failed: return "failed"
                }
            }
            #expect(kind(try outcome("localhost")) == "connected")
            let noDatabase = try outcome("localhost", database: "no_such_database")
            #expect(kind(noDatabase) == "after", "the server said no after a verified handshake: \(noDatabase)")
            #expect(noDatabase.servedCertificate?.isEmpty == false, "a finished handshake shows what was served")
            let otherUser = try ConnectionTarget("host=localhost hostaddr=127.0.0.1 port=\(cluster.port) user=someone_else dbname=postgres")
                .with("sslmode", "verify-full").with("sslrootcert", certificate.caPath).with("gssencmode", "disable")
            #expect(kind(Connection.handshakeOutcome(otherUser, timeoutSeconds: 5)) == "after", "refused by the rules over SSL")
            let wrongName = try outcome("not-the-name")
            #expect(kind(wrongName) == "failed", "the name check failed")
            #expect(wrongName.servedCertificate == nil)
            let otherCA = try TestCertificate.make(in: cluster.local.root + "/other-ca", owner: cluster.local.owner)
            #expect(kind(try outcome("localhost", root: otherCA.caPath)) == "failed", "the certificate check failed")
            // Port 1: nothing of ours listens there (a privileged port).
            let refused = try outcome("localhost", port: 1)
            #expect(kind(refused) == "failed", "nothing listens: \(refused)")
        }
    }

    /// A peer that answers the TLS request and then says nothing: libpq's
    /// connect_timeout stops the handshake halfway, and libpq 13-15 leave
    /// PQsslInUse at 1. That is no verified server (nor a working TCP TLS).
    @Test func aHandshakeStoppedByTheTimeoutIsNoProof() throws {
        try StartTLSHandshakeTests.withPeer("c.sendall(b'S')") { port in
            let target = try ConnectionTarget("host=localhost hostaddr=127.0.0.1 port=\(port) user=postgres dbname=postgres")
                .with("sslmode", "verify-full").with("sslrootcert", "/etc/ssl/certs/ca-certificates.crt").with("gssencmode", "disable")
            let outcome = Connection.handshakeOutcome(target, timeoutSeconds: 2)
            guard case .failed(let error) = outcome else { Issue.record("a stalled handshake counted: \(outcome)"); return }
            #expect("\(error)".contains("timeout"), "\(error)")
        }
    }
}
