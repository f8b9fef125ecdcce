import ClusterFacts
import Enforcement
import Foundation
import Testing
@testable import WizardUI

/// Every screen and dialog rendered into the in-memory grid and compared
/// with golden files at 80x24 and 120x40 (PGSW_RECORD_GOLDEN=1 re-records).
struct WizardScreenTests {
    static let sizes = [(24, 80), (40, 120)]

    /// A wizard walked by keys and a simulated run to a named state.
    static func state(_ name: String, rows: Int, columns: Int) throws -> WizardModel {
        var model = try WizardFixtures.model(rows: rows, columns: columns, lockedOut: name == "preflight-blocked",
                                             practice: name == "final-practice", box: name == "preflight-ascii" ? .ascii : .unicode)
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        let live = LiveSessions(sessions: WizardFixtures.input().snapshot.sessions, at: WizardFixtures.start)
        switch name {
        case "preflight", "preflight-blocked", "preflight-ascii":
            break
        case "certs":
            _ = model.press(.enter)
        case "ssl-on-confirm":
            _ = model.press(.enter, .enter, .enter)
        case "hba-rewrite", "hba-rewrite-confirm":
            run.carryOut([.apply(through: .sslOn)], into: &model)
            run.feed(SimulatedRun.phaseA, into: &model)
            if name == "hba-rewrite-confirm" { _ = model.press(.enter) }
        case "keep-countdown":
            run.carryOut([.apply(through: .reloadOrRestart)], into: &model)
            run.feed(SimulatedRun.phaseA + SimulatedRun.rewrite + SimulatedRun.phaseB, into: &model)
            _ = model.update(.tick(run.clock.addingTimeInterval(3)))
        case "terminate-confirm", "terminate-progress", "quit-while-applying":
            run.carryOut([.apply(through: .reloadOrRestart)], into: &model)
            run.feed(SimulatedRun.phaseA + SimulatedRun.rewrite + SimulatedRun.phaseB, into: &model)
            run.carryOut(model.press(.character("y")), into: &model)
            run.feed([], into: &model)
            _ = model.update(.sessions(live))
            _ = model.press(.enter)
            if name != "terminate-confirm" {
                run.carryOut(model.press(.character("y"), .character("e"), .character("s"), .enter), into: &model)
                var later = live
                later.pids.remove(601)
                later.plainPids.remove(601)
                later.plainTCP -= 1
                _ = model.update(.sessions(later))
                // One ended between transactions and the walsender at once; one still inside a transaction.
                _ = model.update(.termination(TerminationProgress(endedIdle: 1, stillBusy: 1, cut: 0, walsenders: 1,
                                                                  deadline: run.clock.addingTimeInterval(8))))
            }
            if name == "quit-while-applying" { _ = model.press(.character("q")) }
        case "confirm", "final", "final-practice":
            run.carryOut([.apply(through: .terminateNonSSL)], into: &model)
            run.feed(SimulatedRun.phaseA + SimulatedRun.rewrite + SimulatedRun.phaseB, into: &model)
            run.carryOut(model.press(.character("y")), into: &model)
            run.feed([.terminated(ended: [601, 602, 603], remaining: []), .standbysStreaming(missing: [])], into: &model)
            var after = LiveSessions(sessions: [], at: run.clock)
            after.ssl = 3
            after.socket = 1
            after.tlsVersions = ["TLSv1.3": 3]
            _ = model.update(.sessions(after))
            if name != "confirm" {
                run.carryOut([.apply(through: .confirm)], into: &model)
                run.feed([.confirmationFindings(problems: []), .reportWritten(path: "/state/7000/report-20270115T080000Z.md")], into: &model)
                _ = model.update(.finished(Self.finalSummary))
            }
        case "help":
            _ = model.press(.character("?"))
        default:
            Issue.record("unknown state \(name)")
        }
        return model
    }

    static let finalSummary = FinalSummary(
        outcome: "enforced: every planned step verified", enforced: true,
        proof: ["plain TCP sessions left: 0", "TLS sessions: TLSv1.3 3",
                "plain-text attempt (sslmode=disable): refused: no pg_hba.conf entry for host \"10.0.0.2\", user \"postgres\", database \"postgres\", no encryption",
                "verify-full with the CA: verified as db.example.com with /data/root.crt",
                "exposure window (hostssl live -> last plain session gone): 0.112 s", "terminated sessions: 3",
                "step durations: Turn SSL on 0.412 s, Require SSL in pg_hba.conf 0.031 s, Reload and check 0.355 s, End plain-text sessions 0.108 s"],
        reportPath: "/state/7000/report-20270115T080000Z.md",
        backups: ["/data/pg_hba.conf <- /data/pg_hba.conf.bak-20270115T080000Z"],
        connectionStrings: ["host=db.example.com port=5432 dbname=DBNAME user=USER sslmode=verify-full sslrootcert=/data/root.crt"],
        debrief: ["steps: preflight verified -> certs satisfied -> ssl_on verified -> hba_rewrite verified -> ...",
                  "lock-out avoided: the guard checked 2 identities against the new rules before anything changed"])

    @Test(arguments: ["preflight", "preflight-blocked", "certs", "ssl-on-confirm", "hba-rewrite", "hba-rewrite-confirm", "keep-countdown", "terminate-confirm",
                      "terminate-progress", "quit-while-applying", "confirm", "final", "final-practice", "help"])
    func screen(_ name: String) throws {
        for (rows, columns) in Self.sizes {
            Golden.check(WizardView.render(try Self.state(name, rows: rows, columns: columns)), name)
        }
    }

    /// Every screen and state at both sizes: each line of the main pane,
    /// the explanation pane and the log reads back whole from its rows
    /// (no word or token broken without a mark).
    @Test(arguments: ["preflight", "preflight-blocked", "preflight-ascii", "certs", "ssl-on-confirm", "hba-rewrite", "hba-rewrite-confirm", "keep-countdown",
                      "terminate-confirm", "terminate-progress", "quit-while-applying", "confirm", "final", "final-practice", "help"])
    func noWordIsBrokenWithoutAMark(_ name: String) throws {
        for (rows, columns) in Self.sizes {
            let model = try Self.state(name, rows: rows, columns: columns)
            let unicode = model.box == .unicode
            let layout = Layout(rows: rows, columns: columns, maximized: model.maximized)
            let width = layout.page.width - 2
            var lines = model.pageLines(width: width).map { ($0, width) }
            if let rect = layout.explanation {
                let text = model.content.explanations.text(for: WizardView.explanationName(model.screen), practice: model.content.practice)
                lines += text.components(separatedBy: "\n").map { (Line($0), rect.width - 2) }
            }
            for (line, width) in lines {
                let problem = LayoutCheck.problems(line, rows: TextLayout.wrap(line, width: width, unicode: unicode), width: width, unicode: unicode)
                #expect(problem == nil, "\(name) at \(columns)x\(rows): \(problem ?? "")")
            }
        }
    }

    /// Found shows what inspection found, Will do the plan: no line in both.
    @Test func foundAndWillDoNeverRepeatEachOther() throws {
        let content = try WizardFixtures.content()
        for (step, page) in content.pages {
            let willDo = Set(page.fragment.map { $0.text.trimmingCharacters(in: .whitespaces) })
            for fact in page.found {
                #expect(!willDo.contains(fact.trimmingCharacters(in: .whitespaces)), "\(step.rawValue): \(fact)")
            }
        }
        let sslOn = try #require(content.pages[.sslOn])
        #expect(sslOn.found.contains("ssl = off (the default)") && !sslOn.found.contains { $0.contains("accept TLS connections") })
        #expect(sslOn.fragment.contains { $0.text == "ALTER SYSTEM SET ssl = 'on';" })
    }

    @Test func asciiFramesWhenTheLocaleIsNotUTF8() throws {
        let grid = WizardView.render(try Self.state("preflight-ascii", rows: 24, columns: 80))
        Golden.check(grid, "preflight-ascii")
        #expect(!grid.text.contains("─") && !grid.text.contains("✓"), "no box drawing or marks outside ASCII")
        #expect(grid.text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func aTooSmallTerminalSaysSoAndDrawsNothingElse() throws {
        var model = try WizardFixtures.model()
        _ = model.update(.resize(rows: 20, columns: 70))
        let grid = WizardView.render(model)
        Golden.check(grid, "too-small")
        #expect(grid.text.contains("needs a terminal of at least 80x24; this one is 70x20"))
    }

    @Test func colourCarriesMeaningTheDiffIsRedAndGreen() throws {
        let model = try Self.state("hba-rewrite", rows: 40, columns: 120)
        let grid = WizardView.render(model)
        func style(ofLineStarting prefix: String) -> Style? {
            for row in 0..<grid.rows {
                let line = String((0..<grid.columns).map { grid[row, $0].character })
                if let range = line.range(of: prefix) { return grid[row, line.distance(from: line.startIndex, to: range.lowerBound)].style }
            }
            return nil
        }
        #expect(style(ofLineStarting: "+hostssl all")?.role == .added)
        #expect(style(ofLineStarting: "-host    all")?.role == .removed)
        #expect(style(ofLineStarting: "[TO DO]")?.role == .warning)
        #expect(grid[0, 1].style.role == .selected, "the header bar")
    }

    @Test func theKeepPromptCountsDown() throws {
        var model = try Self.state("keep-countdown", rows: 24, columns: 80)
        #expect(WizardView.render(model).text.contains("Reverting in 57 s"))
        _ = model.update(.tick(model.now.addingTimeInterval(50)))
        #expect(WizardView.render(model).text.contains("Reverting in 7 s"))
    }
}
