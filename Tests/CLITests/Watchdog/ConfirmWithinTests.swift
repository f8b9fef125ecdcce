import Executor
import Foundation
import HostIO
import PostgresClient
import Testing
import TestSupport

/// `apply --yes --confirm-within S`: commit-confirmed from a script. apply
/// returns once the rules are live and proven; `keep` from another shell
/// keeps them, and without it the watchdog puts pg_hba.conf back.
struct ConfirmWithinTests {
    static func applyConfirmed(_ cluster: TestCluster, _ wizard: WizardRun, within seconds: Int) throws -> ProcessOutput {
        try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "self-signed",
                        "--confirm-within", String(seconds)])
    }

    @Test func keepFromAnotherShellKeeps() async throws {
        try await TestCluster.with { cluster in
            let (_, candidateMarker) = try FaultInjectionTests.prepare(cluster)
            let wizard = try WizardRun()
            let apply = try Self.applyConfirmed(cluster, wizard, within: 20)
            #expect(apply.exitCode == 0 && apply.stdout.contains("awaiting keep") && apply.stdout.contains("pg-ssl-wizard keep"),
                    "\(apply.stdout)\(apply.stderr)")
            #expect(cluster.hbaText == candidateMarker, "the rules are live while apply has returned")
            let keep = try wizard.run(["keep", cluster.socketConninfo, "--json"])
            #expect(keep.exitCode == 0, "\(keep.stdout)\(keep.stderr)")
            #expect(try ApplySummary.decode(keep).outcome.hasPrefix("enforced"))
            usleep(1_000_000)
            #expect(cluster.hbaText == candidateMarker, "kept")
            let again = try wizard.run(["keep", cluster.socketConninfo])
            #expect(again.exitCode == 3 && again.stderr.contains("no run of this cluster is waiting"), "\(again.stderr)")
        }
    }

    @Test func withoutKeepTheRulesGoBackByThemselves() async throws {
        try await TestCluster.with { cluster in
            let (original, _) = try FaultInjectionTests.prepare(cluster)
            let wizard = try WizardRun()
            let started = Date()
            let apply = try Self.applyConfirmed(cluster, wizard, within: 6)
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            try cluster.waitFor("the watchdog to put pg_hba.conf back", seconds: 6 + 15) { cluster.hbaText == original }
            let elapsed = Date().timeIntervalSince(started)
            let late = try wizard.run(["keep", cluster.socketConninfo])
            #expect(late.exitCode != 0, "too late to keep: \(late.stdout)\(late.stderr)")
            let resumed = try wizard.run(["rollback", cluster.socketConninfo])
            #expect(resumed.exitCode == 0, "the rest (ssl = on) goes back too: \(resumed.stdout)\(resumed.stderr)")
            print("confirm-within 6 s: pg_hba.conf back \(String(format: "%.1f", elapsed)) s after apply started")
        }
    }

    /// 18: the watchdog's reload puts the old rules back; logins begun under
    /// the hostssl rules are not ended then (only the run's own reload of
    /// the hostssl rules ends those begun before it).
    @Test func theWatchdogsRevertLeavesLoginsInProgressAlone() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            let (original, _) = try FaultInjectionTests.prepare(cluster)
            let wizard = try WizardRun()
            let apply = try Self.applyConfirmed(cluster, wizard, within: 6)
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            let stalled = try StalledStartup.start(cluster, .tls)
            defer { stalled.stop() }
            let pid = try #require(try cluster.sql("SELECT pid FROM pg_stat_activity WHERE state = 'starting' AND client_port > 0").rows.first?.int32("pid"))
            // Phase A's reload, phase B's, then the watchdog's, once its proof is done.
            func reloads() throws -> Int {
                let journals = (FileManager.default.enumerator(atPath: wizard.stateHome)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".jsonl") }
                return try journals.flatMap { try Journal.read(wizard.stateHome + "/" + $0) }.filter { $0.kind == .event && $0.name == "reloaded" }.count
            }
            try cluster.waitFor("the watchdog to put pg_hba.conf back and prove its reload", seconds: 6 + 30) {
                try cluster.hbaText == original && reloads() == 3
            }
            #expect(try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1", [pid]).rows.first?.int32("n") == 1)
            #expect(!wizard.allStateText().contains("ended_attempts"), "no journal records an ended login")
        }
    }

    /// `rollback` while the watchdog waits: it puts the file back now.
    @Test func rollbackWhileWaitingRevertsAtOnce() async throws {
        try await TestCluster.with { cluster in
            let (original, _) = try FaultInjectionTests.prepare(cluster)
            let wizard = try WizardRun()
            let apply = try Self.applyConfirmed(cluster, wizard, within: 300)
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            let started = Date()
            let rollback = try wizard.run(["rollback", cluster.socketConninfo])
            #expect(rollback.exitCode == 0, "\(rollback.stdout)\(rollback.stderr)")
            #expect(cluster.hbaText == original && Date().timeIntervalSince(started) < 60, "back now, not in 300 s")
            #expect(try cluster.sql("SHOW ssl").rows.first?.string("ssl") == "off", "and the settings with it")
        }
    }

    /// The operator connected through PG* variables: the watchdog (which gets
    /// none of the wizard's environment) still reaches the server.
    @Test func aConnectionMadeThroughTheEnvironmentIsRevertedToo() async throws {
        try await TestCluster.with { cluster in
            let (original, _) = try FaultInjectionTests.prepare(cluster)
            let wizard = try WizardRun()
            let environment = ["PGHOST": cluster.local.socketDirectory, "PGPORT": String(cluster.port), "PGUSER": cluster.local.superuser]
            let apply = try wizard.run(["apply", "", "--yes", "--include-loopback", "--create-certificates", "self-signed", "--confirm-within", "6"],
                                       environment: environment)
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            try cluster.waitFor("the watchdog to put pg_hba.conf back", seconds: 30) { cluster.hbaText == original }
            // And loaded: plain text gets in again.
            try cluster.waitFor("plain text admitted again", seconds: 15) { (try? cluster.holdSessions(1, via: .tcp(sslmode: "disable")))?.count == 1 }
        }
    }

    /// The server down at the deadline: the old file is put back all the same
    /// and the server loads it when it starts.
    @Test func aServerDownAtTheDeadlineStartsWithTheOldFile() async throws {
        try await TestCluster.with { cluster in
            let (original, _) = try FaultInjectionTests.prepare(cluster)
            let wizard = try WizardRun()
            let apply = try Self.applyConfirmed(cluster, wizard, within: 6)
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            try cluster.local.stop()
            try cluster.waitFor("the watchdog to put pg_hba.conf back", seconds: 90) { cluster.hbaText == original }
            try cluster.local.start()
            // The server started with the old rules.
            try cluster.waitFor("plain text admitted", seconds: 15) { (try? cluster.holdSessions(1, via: .tcp(sslmode: "disable")))?.count == 1 }
        }
    }

    /// `keep` only answers the question: a run killed before it (the dead-man
    /// check) is not kept, the watchdog stays armed; and a pg_hba.conf that is
    /// no longer the rewritten file is never "kept".
    @Test func keepAnswersOnlyTheQuestionOverTheRewrittenFile() async throws {
        try await TestCluster.with { cluster in
            let (original, _) = try FaultInjectionTests.prepare(cluster)
            let wizard = try WizardRun()
            let killed = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--include-loopback", "--create-certificates", "self-signed",
                                         "--confirm-within", "60"], environment: ["PG_SSL_WIZARD_CRASH_AT": "before:open_test_connection"])
            #expect(killed.exitCode == 137, "\(killed.stdout)\(killed.stderr)")
            let early = try wizard.run(["keep", cluster.socketConninfo])
            #expect(early.exitCode == 3 && early.stderr.contains("is not at \"keep these changes?\""), "\(early.stderr)")
            let status = try wizard.run(["status", cluster.socketConninfo, "--json"])
            #expect(status.stdout.contains("\"state\" : \"armed\""), "the watchdog still guards the rules: \(status.stdout)")
            #expect(try wizard.run(["rollback", cluster.socketConninfo]).exitCode == 0)
            #expect(cluster.hbaText == original)

            let apply = try Self.applyConfirmed(cluster, wizard, within: 60)
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            try cluster.writeHBA(original)
            let kept = try wizard.run(["keep", cluster.socketConninfo])
            #expect(kept.exitCode == 3 && kept.stderr.contains("is no longer the run's rewritten file"), "\(kept.stderr)")
            #expect(try wizard.run(["rollback", cluster.socketConninfo]).exitCode == 0)
        }
    }
}
