import Certificates
import ClusterFacts
import Enforcement
import Executor
import Foundation
import HBA
import PlanningInputs
import PostgresClient
import SQLCatalogue
import Testing
import TestSupport

/// The planner on snapshots read from real clusters by the planning input
/// reader: every state the issue names, one cluster each.
@Suite(.serialized) struct PlannerOnRealClustersTests {
    static let remoteHBA = """
        # TYPE  DATABASE        USER            ADDRESS                 METHOD
        local   all             all                                     trust
        host    all             all             127.0.0.1/32            scram-sha-256
        host    all             all             10.0.0.0/8              scram-sha-256   # office
        local   replication     all                                     trust
        host    replication     all             127.0.0.1/32            scram-sha-256

        """

    static func plan(_ cluster: TestCluster, conninfo: String? = nil, options: PlanOptions = PlanOptions(),
                     create: CertificateChoice = .none, now: Date = Date()) throws -> Plan {
        let input = try PlanningInputReader.read(ConnectionTarget(conninfo ?? cluster.socketConninfo), options: options,
                                                 certificates: create, now: now)
        return try Planner.plan(input)
    }

    static func statuses(_ plan: Plan) -> [String] { plan.steps.map { "\($0.name.rawValue)=\($0.status.rawValue)" } }

    @Test func sslOffWithoutCertificatesBlocksUntilNewFilesArePlanned() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA(Self.remoteHBA)
            try cluster.reload()
            let blocked = try Self.plan(cluster)
            #expect(blocked.blocked && blocked.exitCode == 11)
            #expect(blocked.blockingReasons.contains { $0.text.contains("server.crt") && $0.text.contains("--create-certificates") })
            #expect(blocked.steps[1].status == .planned)

            let planned = try Self.plan(cluster, create: .create(.selfSigned))
            #expect(!planned.blocked, "\(planned.blockingReasons)")
            #expect(Self.statuses(planned) == ["preflight=satisfied", "certs=planned", "ssl_on=planned", "hba_rewrite=planned",
                                               "reload_or_restart=planned", "terminate_non_ssl=satisfied", "confirm=planned"])
            #expect(planned.files.map(\.path).contains(cluster.dataDirectory + "/server.key"))
            #expect(planned.files.first { $0.path.hasSuffix("server.key") }?.mode == 0o600)
            #expect(planned.run.sslStatements == ["ALTER SYSTEM SET ssl = 'on'"], "never ssl_ca_file, the client CA")
            let diff = try #require(planned.files.first { $0.kind == .rewrite }?.diff)
            #expect(diff.contains("+hostssl all             all             10.0.0.0/8              scram-sha-256   # office"))
            #expect(planned.reload.action == .reload && planned.reload.why.contains("ssl (sighup)"))
        }
    }

    @Test func sslOnWithoutHostsslPlansOnlyTheRewrite() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA(Self.remoteHBA)
            _ = try cluster.enableSSL()
            let plan = try Self.plan(cluster)
            #expect(Self.statuses(plan) == ["preflight=satisfied", "certs=satisfied", "ssl_on=satisfied", "hba_rewrite=planned",
                                            "reload_or_restart=planned", "terminate_non_ssl=satisfied", "confirm=planned"])
            #expect(plan.sql.filter { $0.text == SQLText.reload }.count == 1, "SSL is proven: only phase B reloads")
            #expect(plan.run.phaseA == .none && plan.run.hbaWrites.map(\.path) == [cluster.hbaFile])
            #expect(plan.exitCode == 10)
        }
    }

    @Test func alreadyEnforcedHasNothingToDo() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA(Self.remoteHBA.replacingOccurrences(of: "host    all             all             10.0.0.0/8",
                                                                      with: "hostssl all             all             10.0.0.0/8"))
            _ = try cluster.enableSSL()
            try cluster.holdSessions(1, via: .tcp(sslmode: "require"), applicationName: "encrypted")
            let plan = try Self.plan(cluster)
            #expect(plan.nothingToDo && plan.exitCode == 0, "\(Self.statuses(plan))")
            #expect(plan.sql.isEmpty && plan.files.isEmpty && plan.impact.terminate.isEmpty)
        }
    }

    @Test func expiredCertificateIsAProblemToFix() async throws {
        try await TestCluster.with { cluster in
            let certificate = try cluster.enableSSL()
            // The test certificate is valid for a year: plan as of 400 days from now.
            let plan = try Self.plan(cluster, now: Date().addingTimeInterval(400 * 86_400))
            #expect(plan.blocked)
            #expect(plan.blockingReasons.contains { $0.text.contains(certificate.certificatePath) && $0.text.contains("expired") })
        }
    }

    @Test func operatorOverPlainTCPIsBlockedWithDisableAndMovedToSSLWithPrefer() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            let options = PlanOptions(rewritePolicy: RewritePolicy(includeLoopback: true))
            let disable = try Self.plan(cluster, conninfo: cluster.tcpConninfo(sslmode: "disable"), options: options)
            #expect(disable.blocked && disable.exitCode == 11)
            let refusal = try #require(disable.lockout.refusals.first)
            #expect(refusal.identity.kind == .wizardConnection && refusal.identity.sslMode == .disable)
            #expect(refusal.waysOut.contains { $0.contains("sslmode=require") })
            #expect(refusal.waysOut.contains { $0.contains("without --include-loopback") })

            // SSL is on and works: prefer negotiates it, so the wizard is on SSL already.
            let prefer = try Self.plan(cluster, conninfo: cluster.tcpConninfo(sslmode: "prefer"), options: options)
            #expect(!prefer.blocked, "\(prefer.blockingReasons)")
        }
    }

    @Test func plainWizardWithSSLOffIsMovedToSSLAfterPhaseA() async throws {
        try await TestCluster.with { cluster in
            let options = PlanOptions(rewritePolicy: RewritePolicy(includeLoopback: true))
            let plan = try Self.plan(cluster, conninfo: cluster.tcpConninfo(sslmode: "prefer"), options: options, create: .create(.selfSigned))
            #expect(!plan.blocked, "\(plan.blockingReasons)")
            #expect(plan.lockout.wizardMovesToSSL && plan.run.wizardMovesToSSL)
            #expect(plan.notes.contains { $0.contains("reconnects with SSL right after phase A") })
        }
    }

    @Test func walsenderIsListedWithItsStandbysNeeds() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            let walsender = try Connection.connect(ConnectionTarget(cluster.tcpConninfo(sslmode: "disable"))
                .with("replication", "true").with("application_name", "standby-a"))
            defer { walsender.close() }
            try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            try cluster.holdSessions(1, via: .socket, applicationName: "local-app")
            let plan = try Self.plan(cluster, options: PlanOptions(rewritePolicy: RewritePolicy(includeLoopback: true)))
            let listed = try #require(plan.impact.walsenders.first)
            #expect(listed.pid == walsender.backendPID && listed.standby == "standby-a" && listed.kind == .physical && !listed.ssl)
            #expect(listed.admittedWithSSL && listed.needs.contains("primary_conninfo"), "\(listed)")
            #expect(Set(plan.impact.terminate.map(\.applicationName)) == ["plain-app", "standby-a"])
            #expect(plan.impact.terminate.count == 3, "two plain sessions and the walsender; never the socket session")
            #expect(plan.run.terminate.contains { $0.pid == walsender.backendPID && $0.walsender && $0.standby == "standby-a" })
            #expect(plan.run.terminate.allSatisfy { $0.backendStartMicroseconds != nil }, "each with when its backend started: \(plan.run.terminate)")
            #expect(plan.impact.refusedClients.map(\.applicationName).sorted() == ["plain-app", "standby-a"])
            #expect(plan.impact.refusedClients.first { $0.applicationName == "plain-app" }?.sessions == 2)
        }
    }
}
