import ClusterFacts
import Enforcement
import Executor
import PlanningInputs
import PostgresClient
import Testing
import TestSupport

/// 18 lists a connection before it has a user (`starting`); anyone who can
/// reach the port can hold one there. `status`, the plan and the observation
/// window read such rows from a real 18 (docs/POSTGRES.md, "18 lists
/// connections still authenticating").
@Suite(.serialized) struct AuthenticatingConnectionsTests {
    @Test func statusAndThePlanJudgeAnAttemptByTheRulesItMeets() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            _ = try cluster.enableSSL()
            let client = try StalledStartup.start(cluster)
            defer { client.stop() }
            let replication = try StalledStartup.start(cluster, replication: true)
            defer { replication.stop() }

            let status = try StatusCheck.run(ConnectionTarget(cluster.socketConninfo))
            #expect(status.assessment.verdict == .enforced, "begun under the rules loaded now, which decide them: \(status.assessment.reasons)")
            #expect(status.assessment.notes.contains { $0.contains("2 connections were still authenticating") })

            let plan = try PlannerOnRealClustersTests.plan(cluster)
            #expect(!plan.lockout.checks.contains { $0.identity.kind == .standby }, "no user to protect a standby as")
            #expect(plan.impact.walsenders.isEmpty && plan.impact.refusedClients.isEmpty && plan.run.terminate.isEmpty)
            #expect(plan.notes.contains { $0.contains("(replication)") && $0.contains("were still authenticating") })

            // Begun before the last reload: the rules the postmaster had then may admit them in plain text.
            let loaded = try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t")
            try cluster.reload()
            try cluster.waitFor("the reload") { try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t") != loaded }
            let later = try StatusCheck.run(ConnectionTarget(cluster.socketConninfo))
            #expect(later.assessment.verdict == .notEnforced && later.assessment.counts.nonSSLTCP == 1 && later.assessment.counts.walsendersNonSSL == 1)
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
