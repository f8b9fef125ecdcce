import ClusterFacts
import Executor
import Foundation
import HostIO
import PostgresClient
import SQLCatalogue
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

    /// The look and the signal are one statement, but a client's next
    /// BEGIN can land between them. Inside an explicit transaction the
    /// look comes from a statistics snapshot taken earlier, which stretches
    /// that moment to as long as the test needs: a session that began a
    /// transaction since must not be signalled, one still idle must be.
    @Test(arguments: [false, true])
    func aSessionIsSignalledOnlyIfStillIdleAtTheSignal(beganTransaction: Bool) async throws {
        try await TestCluster.with { cluster in
            let client = try #require(try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "client").first)
            let observer = try cluster.superuserConnection()
            defer { observer.close() }
            _ = try observer.query("BEGIN")
            let seen = try observer.query("SELECT state FROM pg_catalog.pg_stat_get_activity($1::int)", [client.backendPID])
            #expect(try seen.rows.first?.optionalString("state") == "idle", "the look the statement will reuse")
            if beganTransaction { _ = try client.query("BEGIN") }

            let rows = try observer.query(SQLText.endExposedAtBoundary, [[client.backendPID], "", false, OptionalInt64Array([])]).rows
            _ = try observer.query("COMMIT")
            #expect(try rows.map { row throws(PostgresError) in try row.bool("signalled") } == [!beganTransaction])
            if beganTransaction {
                #expect(try client.query("SELECT 1 AS one").rows.count == 1, "the transaction goes on")
                _ = try client.query("COMMIT")
            } else {
                try cluster.waitFor("the idle session to end") {
                    try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = \(client.backendPID)").rows.first?.int32("n") == 0
                }
            }
        }
    }

    /// The fresh look must be taken again for every session, not once per
    /// statement: the clear of the snapshot has to sit in the per-session
    /// function call's argument. A function in a FROM list (an InitPlan or
    /// a function scan of its own) is called once and replayed, and the
    /// test above, with one session, would not notice.
    @Test func theFreshLookIsTakenAgainForEverySession() async throws {
        try await TestCluster.with { cluster in
            let observer = try cluster.superuserConnection()
            defer { observer.close() }
            let plan = try observer.query("EXPLAIN (VERBOSE, COSTS OFF) " + SQLText.endExposedAtBoundary, [[Int32(1)], "", false, OptionalInt64Array([1])])
                .rows.map { row throws(PostgresError) in try row.string("QUERY PLAN") }
            let clears = plan.filter { $0.contains("pg_stat_clear_snapshot") }
            #expect(clears.count == 1 && clears.allSatisfy { $0.contains("Function Call: pg_stat_get_activity((a.pid + ") },
                    "\(plan.joined(separator: "\n"))")
            #expect(!plan.contains { $0.contains("InitPlan") || $0.contains("Function Scan on pg_catalog.pg_stat_clear_snapshot") },
                    "\(plan.joined(separator: "\n"))")
        }
    }

    /// 18 lists a login in progress with `ssl` false whatever it turns out
    /// to be: never a plain session. One that began before the hostssl rules
    /// were loaded meets the old ones, which may admit it in plain text: the
    /// run ends it (a retry meets the new rules); a newer one is left alone.
    @Test func aLoginInProgressUnderTheOldRulesIsEndedAndANewerOneIsNot() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            _ = try cluster.enableSSL()
            // Opened before the reload, as the run's own connection is: it takes the reload only at its next
            // command, so its pg_conf_load_time() is no boundary; the proof's fresh session gives one.
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let older = try StalledStartup.start(cluster)
            defer { older.stop() }
            #expect(try cluster.sql(SQLText.plainTCPSessions).rows.isEmpty, "a login in progress is not a plain session")

            let loaded = try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t")
            try cluster.reload()
            try cluster.waitFor("the reload") { try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t") != loaded }
            let boundary = try #require(try cluster.sql(SQLText.confLoadTime).rows.first?.optionalDouble("t"))
            // Past the second after the load that also counts as old (a fork just before it, scheduled after).
            usleep(1_200_000)
            let newer = try StalledStartup.start(cluster, .tls)
            defer { newer.stop() }
            let attempts = "SELECT pid FROM pg_stat_activity WHERE state = 'starting' AND client_port > 0 ORDER BY backend_start"
            let pids = try cluster.sql(attempts).rows.map { try $0.int32("pid") }
            #expect(try connection.query(try #require(SQLText.attemptsBefore(cluster.version)), [boundary]).rows.map { try $0.int32("pid") } == [pids[0]])

            let outcome = try SessionTermination.endAttempts(before: boundary, connection, version: cluster.version)
            #expect(outcome.ended.map(\.pid) == [pids[0]] && outcome.stillThere.isEmpty)
            #expect(outcome.ended.first?.clientAddress == "127.0.0.1", "where it came from: it has no user yet")
            #expect(try cluster.sql(attempts).rows.map { try $0.int32("pid") } == [pids[1]], "ended and gone; the newer one meets the loaded rules")
            #expect(try connection.query(try #require(SQLText.attemptsBefore(cluster.version)), [boundary]).rows.isEmpty)

            // A login younger than a second is left to finish (a client on TLS doing nothing wrong), then ended.
            let fresh = try StalledStartup.start(cluster, .tls)
            defer { fresh.stop() }
            let youngest = try #require(try cluster.sql(attempts).rows.last?.int32("pid"))
            let later = Date().timeIntervalSince1970 + 60
            #expect(try !SessionTermination.endAttempts(before: later, connection, version: cluster.version).ended.map(\.pid).contains(youngest),
                    "a second has not passed since it began")
            usleep(1_100_000)
            #expect(try SessionTermination.endAttempts(before: later, connection, version: cluster.version).ended.map(\.pid).contains(youngest))
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
