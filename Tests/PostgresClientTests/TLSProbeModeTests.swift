import ClusterFacts
@testable import PostgresClient
import Testing

/// The TLS probe carries the operator's credentials. Over TCP it goes where
/// the operator's session went, so an operator who verifies the server keeps
/// verifying it; `sslmode=require` was forced on every probe before (found
/// by a review). A socket operator's probe goes to a listen address, which
/// no certificate names: `require` there.
struct TLSProbeModeTests {
    @Test(arguments: [
        ("host=db.example user=a sslmode=verify-full", Transport.tcp, [:], "verify-full"),
        ("host=db.example user=a sslmode=verify-ca", .tcp, [:], "verify-ca"),
        ("host=db.example user=a", .tcp, ["PGSSLMODE": "verify-full"], "verify-full"),
        ("host=db.example user=a sslmode=prefer", .tcp, ["PGSSLMODE": "verify-full"], "require"),
        ("host=db.example user=a sslmode=disable", .tcp, [:], "require"),
        ("host=db.example user=a", .tcp, [:], "require"),
        ("host=/run/postgresql user=a sslmode=verify-full", .unixSocket, [:], "require"),
    ])
    func theProbeKeepsTheOperatorsVerification(conninfo: String, transport: Transport, environment: [String: String], expected: String) throws {
        let target = try ConnectionTarget(conninfo)
        #expect(TLSProbe.sslMode(operator: target, transport: transport, environment: environment) == expected)
    }
}
