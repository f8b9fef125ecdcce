import Executor
import Foundation
import PostgresClient
import Testing
import TestSupport

/// 18 lists a connection while it authenticates, against the rules the
/// postmaster had when it forked it. One begun before the hostssl reload may
/// still be admitted in plain text; anyone who reaches the port can keep one
/// there. The run ends those right after the reload, and so still confirms.
struct AttemptsAcrossTheRewriteTests {
    /// Password rules for TCP, and more time to log in than the whole apply
    /// can take on a loaded machine: the server must not end a login first.
    static func prepare(_ cluster: TestCluster) throws {
        try cluster.writeHBA(FaultInjectionTests.hba)
        try cluster.sql("ALTER SYSTEM SET authentication_timeout = '10min'")
        try cluster.reload()
    }

    static let apply = ["apply", "--yes", "--include-loopback", "--create-certificates", "self-signed"]

    @Test func anAttemptUnderTheOldRulesIsEndedAndTheRunIsConfirmed() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            try Self.prepare(cluster)
            let stalled = try StalledStartup.start(cluster)
            defer { stalled.stop() }
            let pid = try #require(try cluster.sql("SELECT pid FROM pg_stat_activity WHERE state = 'starting' AND client_port > 0").rows.first?.int32("pid"))

            let wizard = try WizardRun()
            let applied = try wizard.run(Self.apply + [cluster.socketConninfo, "--json"])
            #expect(applied.exitCode == 0, "\(applied.stdout)\(applied.stderr)")
            let summary = try ApplySummary.decode(applied)
            let ended = try Journal.read(summary.journal).compactMap { $0.after?["ended_attempts"] }
            #expect(ended == [String(pid)], "ended right after the hostssl reload, or at the confirmation")
            // The audit report names it with the sessions the run ended, by where it came from (no user yet).
            let report = try AuditReportJSON.read(summary.report)
            #expect(report.ended_logins.map(\.pid) == [pid] && report.ended_logins.first?.client_address == "127.0.0.1", "\(report.ended_logins)")
            let markdown = try String(contentsOfFile: try #require(summary.report), encoding: .utf8)
            #expect(markdown.contains("- pid \(pid) login in progress from 127.0.0.1 under the rules loaded before the hostssl ones"), "\(markdown)")
            #expect(try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1", [pid]).rows.first?.int32("n") == 0)
        }
    }

    /// A connection accepted before the reload is in no view until its
    /// client sends the startup packet; sent after the run's first look, it
    /// is ended at the confirmation, which then confirms.
    @Test func aLoginWhoseStartupPacketComesLateIsEndedAtTheConfirmation() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            try Self.prepare(cluster)
            let late = try StalledStartup.connect(cluster)
            defer { late.stop() }

            let wizard = try WizardRun()
            let (child, log) = try wizard.startPaused(Self.apply + [cluster.socketConninfo], at: "before:open_test_connection")
            try late.sendStartup(cluster)
            let pid = try #require(try cluster.sql("SELECT pid FROM pg_stat_activity WHERE state = 'starting' AND client_port > 0").rows.first?.int32("pid"))
            let (code, output) = try wizard.continueRun(child, log: log)
            #expect(code == 0, "\(output)")
            let journals = (FileManager.default.enumerator(atPath: wizard.stateHome)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".jsonl") }
            let entries = try journals.flatMap { try Journal.read(wizard.stateHome + "/" + $0) }
            #expect(entries.filter { $0.kind == .event && $0.name.hasPrefix("confirmation") }.compactMap { $0.after?["ended_attempts"] } == [String(pid)],
                    "\(entries.filter { $0.after?["ended_attempts"] != nil }.map(\.name))")
            let reports = (FileManager.default.enumerator(atPath: wizard.stateHome)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".md") }
            let report = try AuditReportJSON.read(wizard.stateHome + "/" + (try #require(reports.first)))
            #expect(report.ended_logins.map(\.pid) == [pid], "ended at the confirmation, and in the report: \(report.ended_logins)")
        }
    }
}
