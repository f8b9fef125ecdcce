import Foundation
import PostgresClient
import Testing
import TestSupport

/// The automatic rollbacks and `rollback` on real clusters. The faults are
/// real changes to the server made while the wizard is stopped at a named
/// point (PG_SSL_WIZARD_PAUSE_AT): nothing in the wizard is faked.
struct ApplyFailureTests {
    static let hba = """
        local   all   all                   trust
        host    all   all   127.0.0.1/32    scram-sha-256
        host    all   all   10.1.0.0/16     radius radiusservers=192.0.2.10 radiussecrets="S3cretRadiusPw"

        """

    static func prepare(_ cluster: TestCluster) throws -> String {
        try cluster.writeHBA(hba)
        try cluster.reload()
        try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
        return cluster.hbaText
    }

    static func apply(_ cluster: TestCluster, _ extra: [String] = []) -> [String] {
        ["apply", cluster.socketConninfo, "--yes", "--include-loopback", "--create-certificates", "self-signed"] + extra
    }

    @Test func aBrokenCandidateIsRolledBackBeforeAnyReload() async throws {
        try await TestCluster.with { cluster in
            let original = try Self.prepare(cluster)
            let loadTime = try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t")
            let wizard = try WizardRun()
            let (child, log) = try wizard.startPaused(Self.apply(cluster), at: "before:check_candidate_hba")
            // Someone's edit lands between the write and its check: an invalid CIDR.
            try cluster.appendToHBA("host all all 10.0.0.0/33 md5\n")
            let (code, output) = try wizard.continueRun(child, log: log)
            #expect(code == 1, "\(output)")
            #expect(output.contains("rolled back after Require SSL in pg_hba.conf failed") && output.contains("10.0.0.0/33"), "\(output)")
            #expect(cluster.hbaText == original, "the original pg_hba.conf is back")
            let rejected = try FileManager.default.contentsOfDirectory(atPath: cluster.dataDirectory).filter { $0.contains(".bak-") && $0.contains("-rejected-") }
            #expect(rejected.count == 1, "the rejected candidate is kept as evidence: \(rejected)")
            let probes = try Probe.attempts([cluster.tcpConninfo(sslmode: "disable"), cluster.tcpConninfo(sslmode: "require")])
            #expect(probes[0].ok && !probes[0].ssl, "plain TCP clients still get in: the rules never changed")
            #expect(probes[1].ok && probes[1].ssl, "phase A (SSL) was verified and stays")
            #expect(try cluster.sql("SELECT pg_conf_load_time()::text AS t").rows.first?.string("t") != loadTime, "phase A reloaded once")
            #expect(!wizard.allStateText().contains("S3cretRadiusPw"), "the RADIUS secret reaches no journal, record or report")
            #expect(!output.contains("S3cretRadiusPw"))
        }
    }

    @Test func aDeadManFailureRevertsTheRewrite() async throws {
        try await TestCluster.with { cluster in
            let original = try Self.prepare(cluster)
            let wizard = try WizardRun()
            let (child, log) = try wizard.startPaused(Self.apply(cluster, ["--dead-man-seconds", "2"]), at: "before:open_test_connection")
            // The hostssl rules are live; now TLS goes away (another admin turns ssl off): no new SSL connection can succeed.
            try cluster.sql("ALTER SYSTEM SET ssl = off")
            try cluster.reload()
            try cluster.waitFor("TLS to go") { try Probe.attempts([cluster.tcpConninfo(sslmode: "require")]).first?.ok == false }
            let (code, output) = try wizard.continueRun(child, log: log)
            #expect(code == 1, "\(output)")
            #expect(output.contains("dead-man check"), "\(output)")
            #expect(cluster.hbaText == original)
            #expect(try Probe.attempts([cluster.tcpConninfo(sslmode: "disable")]).first?.ok == true, "the old rules are live again")
        }
    }

    @Test func rollbackAfterAFinishedRunRestoresFilesAndSettings() async throws {
        try await TestCluster.with { cluster in
            let original = try Self.prepare(cluster)
            let auto = try String(contentsOfFile: cluster.dataDirectory + "/postgresql.auto.conf", encoding: .utf8)
            let wizard = try WizardRun()
            let apply = try wizard.run(Self.apply(cluster))
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            #expect(try wizard.run(["status", cluster.socketConninfo]).exitCode == 0)
            #expect(try Probe.attempts([cluster.tcpConninfo(sslmode: "disable")]).first?.ok == false)

            let rollback = try wizard.run(["rollback", cluster.socketConninfo])
            #expect(rollback.exitCode == 0, "\(rollback.stdout)\n\(rollback.stderr)")
            #expect(rollback.stdout.contains("rolled back and verified"))
            #expect(cluster.hbaText == original)
            #expect(try String(contentsOfFile: cluster.dataDirectory + "/postgresql.auto.conf", encoding: .utf8) == auto)
            #expect(try cluster.sql("SHOW ssl").rows.first?.string("ssl") == "off")
            #expect(try Probe.attempts([cluster.tcpConninfo(sslmode: "disable")]).first?.ok == true, "plain clients are admitted again")
            #expect(try wizard.run(["status", cluster.socketConninfo]).exitCode == 2, "ssl is off again")
            #expect(!wizard.allStateText().contains("S3cretRadiusPw"))
        }
    }

    @Test func aBlockedPlanIsRefusedAndChangesNothing() async throws {
        // On a loopback of its own: the password rides on the wizard's command line, which every local user can read.
        try await TestCluster.withPrivateLoopback { cluster in
            _ = try Self.prepare(cluster)
            let before = try cluster.stateFingerprint()
            let wizard = try WizardRun()
            // The operator over plain TCP with sslmode=disable would be locked out by the rewrite.
            let apply = try wizard.run(["apply", cluster.tcpConninfo(sslmode: "disable"), "--yes", "--include-loopback",
                                        "--create-certificates", "self-signed"])
            #expect(apply.exitCode == 11, "\(apply.stdout)\n\(apply.stderr)")
            #expect(apply.stderr.contains("the plan is blocked, nothing was changed"))
            #expect(try cluster.stateFingerprint() == before)
            let noYes = try wizard.run(["apply", cluster.socketConninfo])
            #expect(noYes.exitCode != 0 && noYes.stderr.contains("add --yes"))
        }
    }
}
