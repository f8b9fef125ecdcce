import ClusterFacts
import Enforcement
import Foundation
import Testing
@testable import WizardUI

/// update(model, event) on values: every key flow asserts the screen, the
/// dialog, the activity and the commands it produces.
struct WizardUpdateTests {
    @Test func enterWalksOnAndAStepAppliesOnlyAfterItsConfirmation() throws {
        var model = try WizardFixtures.model()
        #expect(model.screen == .preflight)
        #expect(model.press(.enter).isEmpty && model.screen == .step(.certs))
        #expect(model.status(.certs) == .satisfied)
        #expect(model.press(.enter).isEmpty && model.screen == .step(.sslOn), "a satisfied step needs nothing: Enter goes on")
        #expect(model.press(.enter).isEmpty)
        guard case .confirm(let confirmation, typed: "") = model.overlay else { Issue.record("no confirmation: \(String(describing: model.overlay))"); return }
        #expect(confirmation.title == "Turn SSL on and reload (phase A)")
        #expect(confirmation.consequences.contains("ALTER SYSTEM SET ssl = 'on'") && confirmation.typeYes == nil)
        #expect(model.press(.character("n")).isEmpty && model.overlay == nil && model.activity == .idle, "n cancels, nothing runs")
        #expect(model.press(.enter, .character("y")) == [.apply(through: .sslOn)])
        #expect(model.overlay == nil && model.activity == .applying)
        #expect(model.log.last?.text == "confirmed: Turn SSL on and reload (phase A)")
    }

    @Test func theRunMovesTheScreenAndStopsAtTheNextStep() throws {
        var model = try WizardFixtures.model()
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        _ = model.press(.enter, .enter, .enter)
        run.carryOut(model.press(.character("y")), into: &model)
        run.feed(Array(SimulatedRun.phaseA.prefix(3)), into: &model, idle: false)
        #expect(model.screen == .step(.sslOn) && model.status(.sslOn) == .applying)
        #expect(model.press(.enter).isEmpty && model.notice == "A change is being applied; wait for it to finish.")
        run.feed(Array(SimulatedRun.phaseA.dropFirst(3)), into: &model)
        #expect(model.status(.sslOn) == .verified && model.activity == .idle)
        #expect(model.screen == .step(.hbaRewrite), "the wizard moves on to the next step to do")
        #expect(model.log.map(\.text).suffix(2) == ["reload taken (a new session sees the new load time)", "TLS proven: TLSv1.3, serving SHA-256 AA..."])
        #expect(model.log.last?.at == WizardFixtures.start.addingTimeInterval(6), "the confirmation, then five events a second apart")
    }

    @Test func stepsCannotBeAppliedOutOfOrderNorWhenBlocked() throws {
        var model = try WizardFixtures.model()
        _ = model.press(.right, .right, .right)
        #expect(model.screen == .step(.hbaRewrite))
        #expect(model.press(.enter).isEmpty && model.overlay == nil)
        #expect(model.notice == "Do Turn SSL on first: each step needs the ones before it.")

        var blocked = try WizardFixtures.model(lockedOut: true)
        #expect(blocked.content.blocked)
        _ = blocked.press(.enter, .enter)
        #expect(blocked.screen == .step(.sslOn))
        #expect(blocked.press(.enter).isEmpty && blocked.overlay == nil)
        #expect(blocked.notice?.hasPrefix("The plan is blocked: ") == true)
    }

    @Test func terminatingAWalsenderNeedsYesTyped() throws {
        var model = try WizardFixtures.model()
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        run.carryOut([.apply(through: .reloadOrRestart)], into: &model)
        run.feed(SimulatedRun.phaseA + SimulatedRun.rewrite + SimulatedRun.phaseB, into: &model)
        run.carryOut(model.press(.enter), into: &model)
        run.feed([], into: &model)
        #expect(model.screen == .step(.terminateNonSSL) && model.activity == .idle)
        _ = model.press(.enter)
        guard case .confirm(let confirmation, _) = model.overlay else { Issue.record("no confirmation"); return }
        #expect(confirmation.title == "Terminate 3 plain-text session(s)")
        #expect(confirmation.typeYes == "standbys are disconnected and must come back over SSL")
        #expect(confirmation.consequences.contains("walsender 603 of standby standby1: it must reconnect over SSL"))
        #expect(model.press(.character("y"), .enter).isEmpty, "y alone is not yes")
        #expect(model.notice == "Type yes and Enter to go on, or Esc to cancel.")
        #expect(model.press(.backspace, .character("y"), .character("e"), .character("p"), .enter).isEmpty)
        #expect(model.press(.backspace, .character("s")).isEmpty)
        #expect(model.overlay == .confirm(confirmation, typed: "yes"))
        #expect(model.press(.enter) == [.apply(through: .terminateNonSSL)])
    }

    @Test func theKeepCountdownRevertsWhenNobodyAnswers() throws {
        var model = try WizardFixtures.model()
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        run.carryOut([.apply(through: .reloadOrRestart)], into: &model)
        run.feed(SimulatedRun.phaseA + SimulatedRun.rewrite + SimulatedRun.phaseB.dropLast(), into: &model, idle: false)
        run.feed([.testConnectionSucceeded], into: &model, idle: false)
        let askedAt = run.clock
        #expect(model.overlay == .keep(deadline: askedAt.addingTimeInterval(60)))
        run.feed([], into: &model)
        #expect(model.activity == .idle && model.overlay == .keep(deadline: askedAt.addingTimeInterval(60)), "the driver waits; the prompt stays")
        #expect(model.update(.tick(askedAt.addingTimeInterval(59))).isEmpty)
        #expect(model.update(.tick(askedAt.addingTimeInterval(60))) == [.answerKeep(false)])
        #expect(model.overlay == nil && model.activity == .applying)
        #expect(model.log.last?.text == "no answer within 60 s: reverting the changes")
    }

    @Test func yKeepsTheChanges() throws {
        var model = try WizardFixtures.model()
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        run.carryOut([.apply(through: .reloadOrRestart)], into: &model)
        run.feed(SimulatedRun.phaseA + SimulatedRun.rewrite + SimulatedRun.phaseB, into: &model)
        #expect(model.press(.character("j")).isEmpty, "other keys do not answer")
        let commands = model.press(.character("y"))
        #expect(commands == [.answerKeep(true)])
        run.carryOut(commands, into: &model)
        run.feed([], into: &model)
        #expect(model.status(.reloadOrRestart) == .verified && model.screen == .step(.terminateNonSSL))
    }

    @Test func quitAsksOnlyWhileApplyingAndThenStopsAfterTheCurrentEffect() throws {
        var idle = try WizardFixtures.model()
        #expect(idle.press(.character("q")) == [.quit] && idle.wantsQuit)

        var model = try WizardFixtures.model()
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        _ = model.press(.enter, .enter, .enter)
        run.carryOut(model.press(.character("y")), into: &model)
        #expect(model.press(.interrupt).isEmpty && model.overlay == .quit(applying: true))
        #expect(model.press(.escape).isEmpty && model.overlay == nil && !model.wantsQuit)
        #expect(model.press(.character("q"), .character("y")) == [.stopAfterCurrentEffect])
        #expect(model.activity == .stopping && !model.wantsQuit)
        #expect(model.update(.runIdle(run.state, at: run.clock)) == [.quit] && model.wantsQuit)
    }

    @Test func skipEndsTheRunBeforeTerminateOnly() throws {
        var model = try WizardFixtures.model()
        _ = model.press(.enter, .enter)
        #expect(model.press(.character("s")).isEmpty && model.notice?.hasPrefix("Only terminate and confirm") == true)
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        run.carryOut([.apply(through: .reloadOrRestart)], into: &model)
        run.feed(SimulatedRun.phaseA + SimulatedRun.rewrite + SimulatedRun.phaseB, into: &model)
        run.carryOut(model.press(.enter), into: &model)
        run.feed([], into: &model)
        #expect(model.screen == .step(.terminateNonSSL))
        let commands = model.press(.character("s"))
        #expect(commands == [.stopRun] && model.activity == .applying)
        run.carryOut(commands, into: &model)
        run.feed([.reportWritten(path: "/state/report.md")], into: &model)
        #expect(run.state.stage == .finished(.stoppedBefore(.terminateNonSSL)))
        _ = model.update(.finished(FinalSummary(outcome: "stopped before terminate_non_ssl as asked", enforced: false)))
        #expect(model.screen == .final && model.press(.enter) == [.quit])
    }

    @Test func panesScrollAndTheScreenFollowsResize() throws {
        var model = try WizardFixtures.model()
        #expect(model.focus == .plan)
        _ = model.press(.down, .down, .character("j"))
        #expect(model.scroll[.plan] == 3)
        _ = model.press(.pageDown)
        #expect(model.scroll[.plan] == 15, "a page is half the screen")
        _ = model.press(.character("k"), .home)
        #expect(model.scroll[.plan] == 0)
        _ = model.press(.tab, .tab)
        #expect(model.focus == .log)
        _ = model.press(.backTab)
        #expect(model.focus == .explanation)
        _ = model.press(.right)
        #expect(model.scroll.isEmpty, "a new screen starts at the top")
        _ = model.press(.character("b"))
        #expect(model.screen == .preflight)
        #expect(model.update(.resize(rows: 40, columns: 120)).isEmpty && model.rows == 40 && model.columns == 120)
        _ = model.press(.character("?"))
        #expect(model.overlay == .help)
        _ = model.press(.character("x"))
        #expect(model.overlay == nil)
        _ = model.press(.character("d"))
        #expect(model.maximized)
    }

    @Test func aResumedRunOpensAtItsStepAndContinuesWithoutReplanning() throws {
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        var scratch = try WizardFixtures.model()
        run.carryOut([.apply(through: .hbaRewrite)], into: &scratch)
        run.feed(SimulatedRun.phaseA + [SimulatedRun.rewrite[0]], into: &scratch, idle: false)
        #expect(run.state.stage == .checkingCandidateHBA)
        var model = WizardModel(content: try WizardFixtures.content(), now: WizardFixtures.start, clockZone: WizardFixtures.utc,
                                resuming: run.state, runName: "20270115T080000Z")
        #expect(model.screen == .step(.hbaRewrite))
        #expect(model.notice == "Run 20270115T080000Z was interrupted before it finished: Enter continues it at Require SSL in pg_hba.conf.")
        _ = model.press(.enter)
        guard case .confirm(let confirmation, _) = model.overlay else { Issue.record("no confirmation"); return }
        #expect(confirmation.title == "Continue the interrupted run at Require SSL in pg_hba.conf")
        #expect(model.press(.character("y")) == [.apply(through: .hbaRewrite)])
    }

    /// Issue 22: once phase A proved TLS, a client that connects in plain text is listed on the rewrite step.
    @Test func aPlainClientAfterPhaseAIsListedOnTheRewriteStep() throws {
        var model = try WizardFixtures.model()
        var run = SimulatedRun(plan: try WizardFixtures.plan())
        _ = model.press(.enter, .enter, .enter)
        run.carryOut(model.press(.character("y")), into: &model)
        run.feed(SimulatedRun.phaseA, into: &model)
        let proven = try #require(model.sslOfferedSince)
        let before = Session(pid: 700, backendType: "client backend", user: "app", database: "sales", applicationName: "old", clientAddress: "10.0.0.5",
                             clientPort: 40000, ssl: false, backendStart: proven.addingTimeInterval(-60))
        _ = model.update(.sessions(LiveSessions(sessions: [before], at: proven)))
        #expect(!model.pageLines(width: 100).map(\.text).contains("Connected in plain text since SSL was offered"),
                "a session from before SSL was offered may be prefer: not listed")
        let pinned = Session(pid: 701, backendType: "client backend", user: "app", database: "sales", applicationName: "nightly", clientAddress: "10.0.0.6",
                             clientPort: 40001, ssl: false, backendStart: proven.addingTimeInterval(2))
        _ = model.update(.sessions(LiveSessions(sessions: [before, pinned], at: proven.addingTimeInterval(3))))
        #expect(model.pageLines(width: 100).map(\.text).contains("  app@sales from 10.0.0.6 (nightly): 1 session(s), refused after this step unless it moves to SSL"))
    }

    /// A pid names a backend only while it lives: after a `resume`, a
    /// session that got a planned pid since is neither "still plain" nor
    /// the planned one; it counts as that one gone.
    @Test func aSessionUnderAPlannedPidThatStartedAtAnotherMomentIsNotThePlannedOne() {
        let later = Session(pid: 601, backendType: "client backend", user: "app", database: "sales", applicationName: "kept", clientAddress: "127.0.0.1",
                            clientPort: 40000, ssl: false, backendStartMicroseconds: 2_000)
        let live = LiveSessions(sessions: [later], at: WizardFixtures.start)
        #expect(!live.holds(601, startedAt: 1_000) && !live.holds(601, startedAt: 1_000, plainOnly: true), "another backend under the number")
        #expect(live.holds(601, startedAt: 2_000, plainOnly: true) && live.holds(601, startedAt: nil), "the planned one, or nothing to tell them apart")
        #expect(!live.holds(602, startedAt: nil))
    }

    /// The terminate page's count: the session under pid 601 started after
    /// the plan's, so the planned one is gone and the other is not "still plain".
    @Test func theTerminatePageCountsASessionUnderAReusedPidAsThePlannedOneGone() throws {
        var model = try WizardFixtures.model()
        #expect(model.content.terminatePids == [601, 602, 603])
        model.content.terminateStarts = [601: 1_000, 602: 1_000]
        model.screen = .step(.terminateNonSSL)
        func plain(_ pid: Int32, _ start: Int64) -> Session {
            Session(pid: pid, backendType: "client backend", user: "app", database: "sales", applicationName: "app", clientAddress: "10.0.0.5",
                    clientPort: 40000, ssl: false, backendStartMicroseconds: start)
        }
        _ = model.update(.sessions(LiveSessions(sessions: [plain(601, 2_000), plain(602, 1_000)], at: WizardFixtures.start)))
        #expect(model.pageLines(width: 100).map(\.text).contains("planned: 3 to terminate, 2 gone, 1 still plain (pid 602)"),
                "\(model.pageLines(width: 100).map(\.text))")
    }

    @Test func sessionsAndFailuresReachTheModel() throws {
        var model = try WizardFixtures.model()
        let live = LiveSessions(sessions: WizardFixtures.input().snapshot.sessions, at: WizardFixtures.start)
        #expect(live.plainTCP == 3 && live.socket == 1 && live.ssl == 0 && live.plainPids == [601, 602, 603])
        _ = model.update(.sessions(live))
        #expect(model.sessions == live && model.sessionsProblem == nil)
        _ = model.update(.sessionsUnavailable("connection refused"))
        #expect(model.sessionsProblem == "connection refused" && model.sessions == live, "the last reading stays")
        _ = model.update(.runFailed("the journal could not be written: disk full", at: WizardFixtures.start))
        #expect(model.activity == .idle)
        guard case .message(let text) = model.overlay else { Issue.record("no message"); return }
        #expect(text.hasPrefix("The run stopped: the journal could not be written: disk full"))
    }
}
