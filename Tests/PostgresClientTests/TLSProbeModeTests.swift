import ClusterFacts
@testable import PostgresClient
import Testing

/// The TLS probe carries the operator's credentials. Over TCP it goes where
/// the operator's session went, so an operator whose session verified the
/// server keeps verifying it, whether verify-full came from the keyword,
/// PGSSLMODE or a service file (the mode libpq used is what counts);
/// `sslmode=require` was forced on every probe before (found by a review).
/// A socket operator's probe goes to a listen address, which no certificate
/// names: `require` there.
struct TLSProbeModeTests {
    static func own(_ transport: Transport, sslMode: String) -> OwnSession {
        OwnSession(pid: 1, user: "a", database: "a", transport: transport, host: transport == .tcp ? "db.example" : "/run/postgresql",
                   port: "5432", serverAddress: transport == .tcp ? "10.0.0.5" : nil, clientAddress: nil, ssl: transport == .tcp,
                   tlsProtocol: nil, cipher: nil, keyBits: nil, gssEncrypted: false, sslMode: sslMode)
    }

    @Test(arguments: [
        (Transport.tcp, "verify-full", "verify-full"),
        (.tcp, "verify-ca", "verify-ca"),
        (.tcp, "require", "require"),
        (.tcp, "prefer", "require"),
        (.tcp, "disable", "require"),
        (.unixSocket, "verify-full", "require"),
    ])
    func theProbeKeepsTheOperatorsVerification(transport: Transport, used: String, expected: String) {
        #expect(TLSProbe.sslMode(operator: Self.own(transport, sslMode: used)) == expected)
    }
}
