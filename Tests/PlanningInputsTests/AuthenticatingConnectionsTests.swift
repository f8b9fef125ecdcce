import ClusterFacts
import Enforcement
import Executor
import PlanningInputs
import PostgresClient
import Testing
import TestSupport

/// 18 lists a connection before it is admitted (`starting`), with no user
/// and `ssl` false even over TLS; anyone who can reach the port can hold one
/// there. `status`, the plan and the observation window read such rows from
/// a real 18 (docs/POSTGRES.md, "18 lists connections still authenticating").
@Suite(.serialized) struct AuthenticatingConnectionsTests {
    @Test func statusAndThePlanDoNotTakeAnAttemptForASession() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            _ = try cluster.enableSSL()
            let stalled = try [StalledStartup.start(cluster), StalledStartup.start(cluster, .replication), StalledStartup.start(cluster, .tls)]
            defer { stalled.forEach { $0.stop() } }
            #expect(try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.state = 'starting' AND s.ssl")
                .rows.first?.int32("n") == 0, "18 shows no encryption before admission, TLS or not: what the wizard must not read as plain")

            let status = try StatusCheck.run(ConnectionTarget(cluster.socketConninfo))
            #expect(status.assessment.verdict == .enforced && !status.listedSessions.contains { $0.transport == .tcp }, "\(status.assessment.reasons)")
            #expect(status.assessment.notes.contains { $0 == "3 TCP login(s) in progress (no user or encryption shown yet), not counted" })

            let plan = try PlannerOnRealClustersTests.plan(cluster)
            #expect(!plan.lockout.checks.contains { $0.identity.kind == .standby }, "no user to protect a standby as")
            #expect(plan.impact.walsenders.isEmpty && plan.impact.refusedClients.isEmpty && plan.run.terminate.isEmpty)
            #expect(plan.notes.contains { $0.contains("(replication)") && $0.hasPrefix("TCP login(s) in progress when the plan looked") })

            // After a reload they meet older rules: still not sessions, and the note says so.
            let loaded = try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t")
            try cluster.reload()
            try cluster.waitFor("the reload") { try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t") != loaded }
            let later = try StatusCheck.run(ConnectionTarget(cluster.socketConninfo))
            #expect(later.assessment.verdict == .enforced, "\(later.assessment.reasons)")
            #expect(later.assessment.notes.contains { $0.hasSuffix("not counted; 3 began before the last reload, under the rules in force before it") })
        }
    }

    @Test func theObservationWindowWaitsForAUser() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            _ = try cluster.enableSSL()
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let since = try PlainClientObservation.sslOfferedSince(connection, fromLastReload: false)
            let stalled = try StalledStartup.start(cluster)
            defer { stalled.stop() }
            #expect(try PlainClientObservation.watch(connection, seconds: 0.1, since: since).isEmpty, "no user yet: not a client to report")

            _ = try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            defer { cluster.releaseHeldSessions() }
            let seen = try PlainClientObservation.watch(connection, seconds: 0.1, since: since)
            #expect(seen.map(\.applicationName) == ["plain-app"] && seen.allSatisfy { !$0.user.isEmpty })
        }
    }
}
