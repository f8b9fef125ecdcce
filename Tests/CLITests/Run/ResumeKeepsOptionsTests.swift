import Executor
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `resume` carries a run on with the options it was started with: the
/// record keeps `--grace` and `--standby-wait` (before, a resumed run fell
/// back to the defaults: no grace at all).
struct ResumeKeepsOptionsTests {
    @Test func aResumedRunKeepsItsGraceAndStandbyWait() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            // A plain session inside a transaction: the grace waits for it, all 3 s.
            let busy = try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "busy-app")
            try busy[0].query("BEGIN")
            let wizard = try WizardRun()
            let killed = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--include-loopback", "--create-certificates", "self-signed",
                                         "--grace", "3", "--standby-wait", "7"], environment: ["PG_SSL_WIZARD_CRASH_AT": "after:ssl_on"])
            #expect(killed.exitCode == 137, "\(killed.stdout)\(killed.stderr)")
            let resumed = try wizard.run(["resume", cluster.socketConninfo, "--json"])
            #expect(resumed.exitCode == 0, "\(resumed.stdout)\(resumed.stderr)")
            let summary = try ApplySummary.decode(resumed)
            let entries = try Journal.read(summary.journal)
            let note = try #require(entries.last { $0.name == "run_resumed" })
            #expect(note.detail["grace_seconds"] == "3" && note.detail["standby_wait_seconds"] == "7", "\(note.detail)")
            let terminate = try #require(entries.firstIndex { $0.kind == .effect && $0.name == "terminate" })
            let answered = entries[(terminate + 1)...].first { $0.kind == .event }
            let waited = try #require(answered).at.timeIntervalSince(entries[terminate].at)
            #expect(waited >= 2, "the resumed run waited its grace for the busy session (\(waited) s)")
        }
    }
}
