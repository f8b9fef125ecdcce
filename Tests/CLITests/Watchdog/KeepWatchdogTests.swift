import ClusterFacts
import Foundation
import PostgresClient
import Testing
import TestSupport

/// "Keep these changes?" holds when the operator is gone: the wizard at the
/// question is hung up on, killed, or loses its whole terminal, and the
/// revert watchdog puts the old pg_hba.conf back by the deadline; answering
/// keeps the rules and leaves no watchdog behind; a watchdog killed itself
/// is reported (docs/DESIGN.md, "The keep question and its watchdog").
@Suite(.serialized)
struct KeepWatchdogTests {
    static let keepSeconds = 8

    struct Pending: Decodable {
        struct Keep: Decodable {
            var run: String
            var state: String
            var watchdog_pid: Int32
            var revert_at: Date?
            var message: String
        }
        var pending_keep: Keep?
        var exit_code: Int32
    }

    static func status(_ wizard: WizardRun, _ cluster: TestCluster) throws -> (Pending, exitCode: Int32) {
        let output = try wizard.run(["status", cluster.socketConninfo, "--json"])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = JSONTime.decoding
        return (try decoder.decode(Pending.self, from: Data(output.stdout.utf8)), output.exitCode)
    }

    /// The wizard walked to the keep question in its own tmux server; the watchdog's pid and deadline from `status`.
    static func atTheQuestion(_ cluster: TestCluster, _ lab: NetworkLab, _ wizard: WizardRun,
                              server: String, keepSeconds: Int = KeepWatchdogTests.keepSeconds) throws -> (TmuxTerminal, Pending.Keep) {
        let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo, "--keep-seconds", String(keepSeconds)],
                                        environment: ["XDG_STATE_HOME": wizard.stateHome], namespace: lab.serverNamespace, server: server)
        let screen = try terminal.walkToTheKeepQuestion()
        #expect(screen.contains("a watchdog process puts the old pg_hba.conf back"), "\(screen)")
        let (pending, code) = try status(wizard, cluster)
        let keep = try #require(pending.pending_keep, "status shows the armed watchdog")
        #expect(keep.state == "armed" && code >= 1 && keep.message.contains("pg-ssl-wizard keep"), "\(keep)")
        return (terminal, keep)
    }

    static func plainAdmitted(_ cluster: TestCluster, _ lab: NetworkLab) throws -> Bool {
        let office = lab.clients[0]
        return try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable")], in: office.namespace)[0].ok
    }

    enum Loss: String, CaseIterable, Sendable { case hangup, kill, terminalGone }

    @Test(arguments: Loss.allCases)
    func theOperatorIsLostAtTheQuestion(_ loss: Loss) async throws {
        try await WizardInTmuxTests.withOffice { cluster, lab in
            let original = cluster.hbaText
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let (terminal, keep) = try Self.atTheQuestion(cluster, lab, wizard, server: "pgsw-keep-\(loss.rawValue)-\(getpid())")
            defer { terminal.killServer() }
            #expect(try !Self.plainAdmitted(cluster, lab), "while the question waits the rules are live")
            switch loss {
            case .hangup: kill(try terminal.wizardPID(), SIGHUP)
            case .kill: kill(try terminal.wizardPID(), SIGKILL)
            case .terminalGone: terminal.killServer()
            }
            let revertAt = try #require(keep.revert_at)
            try cluster.waitFor("the old pg_hba.conf back and loaded", seconds: revertAt.timeIntervalSinceNow + 5) {
                guard cluster.hbaText == original else { return false }
                return try Self.plainAdmitted(cluster, lab)
            }
            let latency = Date().timeIntervalSince(revertAt)
            #expect(Date() <= revertAt.addingTimeInterval(5), "within the deadline + 5 s")
            // Then it records the run (journal, record, report) and exits.
            try cluster.waitFor("the watchdog to finish and exit", seconds: 30) { Self.isGone(keep.watchdog_pid) }
            let journal = try String(contentsOfFile: try Self.journal(wizard, run: keep.run), encoding: .utf8)
            #expect(journal.contains("watchdog_reverting") && journal.contains("watchdog_restored") && journal.contains("watchdogReverted"),
                    "the journal records the watchdog's revert")
            let (after, _) = try Self.status(wizard, cluster)
            #expect(after.pending_keep == nil, "nothing waits for keep any more")
            print("keep watchdog [\(loss.rawValue)]: old pg_hba.conf back and loaded \(String(format: "%.2f", latency)) s after the deadline (grace 2 s)")
        }
    }

    @Test func answeringKeepKeepsTheRulesAndLeavesNoWatchdog() async throws {
        try await WizardInTmuxTests.withOffice { cluster, lab in
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let (terminal, keep) = try Self.atTheQuestion(cluster, lab, wizard, server: "pgsw-keep-answer-\(getpid())")
            defer { terminal.killServer() }
            let candidate = cluster.hbaText
            try terminal.send("Enter")
            try terminal.waitFor("the operator keeps the changes", "the watchdog stood down", "4 reload ✓")
            #expect(Self.isGone(keep.watchdog_pid), "no watchdog process left")
            Thread.sleep(forTimeInterval: Double(Self.keepSeconds) + 3)
            let admitted = try Self.plainAdmitted(cluster, lab)
            #expect(cluster.hbaText == candidate && !admitted, "the hostssl rules stay live past the deadline")
            try terminal.send("q")
        }
    }

    /// The wizard killed at the question, then started again before the
    /// deadline: it reopens at the question with the time left, and "keep"
    /// there keeps the rules past the deadline.
    @Test func aWizardStartedAgainReopensAtTheQuestion() async throws {
        try await WizardInTmuxTests.withOffice { cluster, lab in
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let server = "pgsw-keep-reopen-\(getpid())"
            let (first, keep) = try Self.atTheQuestion(cluster, lab, wizard, server: server, keepSeconds: 30)
            kill(try first.wizardPID(), SIGKILL)
            let candidate = cluster.hbaText
            let second = try TmuxTerminal(Wizard.path, [cluster.socketConninfo], environment: ["XDG_STATE_HOME": wizard.stateHome],
                                          namespace: lab.serverNamespace, server: server)
            defer { first.killServer() }
            let screen = try second.waitFor("Keep these changes?", "Reverting in")
            let left = screen.split(separator: "\n").first { $0.contains("Reverting in") }
                .flatMap { line in line.split(separator: " ").compactMap { Int($0) }.first } ?? 0
            let revertAt = try #require(keep.revert_at)
            #expect(left > 0 && left <= Int(revertAt.timeIntervalSinceNow.rounded(.up)) + 1, "the time left, not a new countdown: \(left) s")
            try second.send("Enter")
            try second.waitFor("the operator keeps the changes")
            try cluster.waitFor("the watchdog to stand down", seconds: 10) { Self.isGone(keep.watchdog_pid) }
            usleep(UInt32(max(0, revertAt.timeIntervalSinceNow + 3) * 1_000_000))
            let admitted = try Self.plainAdmitted(cluster, lab)
            #expect(cluster.hbaText == candidate && !admitted, "kept past the deadline")
        }
    }

    /// The watchdog itself killed: nothing guards the rules; `status` says
    /// so (critical) and `keep` still finishes the run.
    @Test func aKilledWatchdogIsReportedAndKeepStillWorks() async throws {
        try await WizardInTmuxTests.withOffice { cluster, lab in
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let (terminal, keep) = try Self.atTheQuestion(cluster, lab, wizard, server: "pgsw-keep-killed-\(getpid())")
            kill(try terminal.wizardPID(), SIGKILL)
            kill(keep.watchdog_pid, SIGKILL)
            terminal.killServer()
            Thread.sleep(forTimeInterval: 0.3)
            let (pending, code) = try Self.status(wizard, cluster)
            #expect(pending.pending_keep?.state == "unguarded" && code == 2, "\(String(describing: pending.pending_keep))")
            #expect(pending.pending_keep?.message.contains("unconfirmed") == true && pending.pending_keep?.message.contains("pg-ssl-wizard rollback") == true)
            let kept = try wizard.run(["keep", cluster.socketConninfo])
            #expect(kept.exitCode == 2 || kept.exitCode == 0, "\(kept.stdout)\(kept.stderr)")
            let admitted = try Self.plainAdmitted(cluster, lab)
            #expect(!admitted, "kept: plain text is refused")
        }
    }

    /// Exited (an orphan may wait as a zombie until init reaps it).
    static func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    static func journal(_ wizard: WizardRun, run: String) throws -> String {
        let base = wizard.stateHome + "/pg-ssl-wizard"
        // The cluster's directory is named by its system identifier (the local CA's `ca` lives beside it).
        let cluster = try #require(try FileManager.default.contentsOfDirectory(atPath: base).first { $0.allSatisfy(\.isNumber) })
        return base + "/" + cluster + "/run-\(run).jsonl"
    }
}
