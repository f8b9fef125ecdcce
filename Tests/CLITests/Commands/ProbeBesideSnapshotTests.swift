import Foundation
import Testing
import TestSupport

/// The TLS handshake runs on a second connection while the snapshot's last
/// queries run on the operator's (issue 24). The sessions must be read
/// before that connection exists: once logged in, it is a session of the
/// server like any other (TLS, from 127.0.0.1), and a status or a plan that
/// read it would count it as a client, list it, or plan to terminate it
/// (found by a review). The server's own log gives the order: the sessions
/// statement comes before the handshake's connection is received.
struct ProbeBesideSnapshotTests {
    @Test func theSessionsAreReadBeforeTheHandshakeConnects() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            try cluster.sql("ALTER SYSTEM SET log_connections = on")
            try cluster.sql("ALTER SYSTEM SET log_statement = 'all'")
            try cluster.reload()
            try cluster.waitFor("log_statement = all in new sessions") {
                try cluster.sql("SHOW log_statement").rows.first?.string("log_statement") == "all"
            }
            let logged = cluster.serverLog.utf8.count
            let status = try Wizard.run(["status", "--json", cluster.socketConninfo])
            #expect(status.stdout.contains("\"probe\" : \"offered\""), "\(status.stdout)\n\(status.stderr)")
            let log = String(decoding: cluster.serverLog.utf8.dropFirst(logged), as: UTF8.self)
            let sessions = try #require(log.range(of: "FROM pg_catalog.pg_stat_activity a"), "no sessions statement in:\n\(log)")
            let handshake = try #require(log.range(of: "connection received: host=127.0.0.1"), "no TCP connection in:\n\(log)")
            #expect(sessions.lowerBound < handshake.lowerBound, "the handshake connected before the sessions were read:\n\(log)")
        }
    }
}
