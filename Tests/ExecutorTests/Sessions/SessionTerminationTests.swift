import ClusterFacts
import Executor
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Terminating plain-text sessions and the live negative test, on a real server.
@Suite(.serialized) struct SessionTerminationTests {
    @Test func onlyPlainTCPSessionsAreEndedAndTheRestStayAlive() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            let plain = try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "plain")
            let encrypted = try cluster.holdSessions(1, via: .tcp(sslmode: "require"), applicationName: "encrypted")
            let socket = try cluster.holdSessions(1, via: .socket, applicationName: "socket")
            let operatorConnection = try Connection.connect(ConnectionTarget(cluster.tcpConninfo(sslmode: "disable")))
            defer { operatorConnection.close() }
            let everyone = (plain + encrypted + socket).map(\.backendPID) + [operatorConnection.backendPID]

            let found = try SessionTermination.stillExposed(operatorConnection, among: everyone, weakVersions: [])
            #expect(found == plain.map(\.backendPID).sorted(), "never the caller's own pid, never SSL or socket sessions")

            let remaining = try SessionTermination.terminate(operatorConnection, everyone, weakVersions: [], timeoutMilliseconds: 5000, version: cluster.version)
            #expect(remaining.isEmpty)
            let alive = try cluster.sql("SELECT array_agg(application_name ORDER BY application_name)::text AS names FROM pg_stat_activity WHERE application_name IN ('plain', 'encrypted', 'socket')")
            #expect(try alive.rows.first?.optionalString("names") == "{encrypted,socket}")
            #expect(try operatorConnection.query("SELECT 1 AS one").rows.count == 1, "the caller's session is alive")
        }
    }

    @Test func negativeTestTellsRefusedFromAdmitted() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            let target = try ConnectionTarget(cluster.tcpConninfo(sslmode: "require"))
            #expect(PlainTextRefusal.test(target) == .admitted)
            try cluster.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
            try cluster.reload()
            try cluster.waitFor("hostssl rules to load") {
                if case .refused = PlainTextRefusal.test(target) { return true }
                return false
            }
            guard case .refused(let message) = PlainTextRefusal.test(target) else { return }
            #expect(message.contains("no pg_hba.conf entry") && !message.contains(cluster.local.superuserPassword))
        }
    }
}
