import Foundation
@testable import Enforcement
import Testing

/// The revert watchdog in the state machine: armed before phase B's rules go
/// live whenever someone is to answer "keep these changes?", stood down
/// before the answer counts, and a revert it made itself recorded.
struct WatchdogPathTests {
    static let arm = WatchdogArm(pid: 4242, revertAt: Date(timeIntervalSince1970: 2_000_000_000), armedBy: 4000, nonce: "n1")
    static let path = "/data/pg_hba.conf"

    /// A run of the rewrite alone, at the keep question with its watchdog armed.
    /// The rewrite written and checked; the watchdog being armed.
    static func atArming(confirmByCommand: Bool = false) -> RunDriver {
        var run = RunDriver(RunFixtures.rewriteOnly(), interactive: !confirmByCommand, confirmByCommand: confirmByCommand)
        run.send(.confirmed(through: .confirm), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.hbaRewrite: .confirmed, .reloadOrRestart: .confirmed, .confirm: .confirmed])
        run.send(.preflightPassed, stage: .writingHBA(index: 0), effects: [.writeFile(RunFixtures.hbaWrite)], changes: [.hbaRewrite: .applying])
        run.send(.fileWritten(path: path, backup: "/b"), stage: .checkingCandidateHBA, effects: [.checkCandidateHBA])
        run.send(.preReloadChecksPassed, stage: .armingWatchdog, effects: [.armWatchdog(seconds: 100)],
                 changes: [.hbaRewrite: .verified, .reloadOrRestart: .applying])
        return run
    }

    static func atKeepQuestion(confirmByCommand: Bool = false) -> RunDriver {
        var run = atArming(confirmByCommand: confirmByCommand)
        run.send(.watchdogArmed(arm), stage: .checkingBeforeReload(.hostsslRules), effects: [.checkBeforeReload(.hostsslRules)])
        #expect(run.state.watchdog == arm)
        run.send(.preReloadChecksPassed, stage: .reloading(.hostsslRules), effects: [.reload(.hostsslRules)])
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        run.send(.testConnectionSucceeded, stage: .awaitingKeep, effects: [.startKeepCountdown(seconds: 60)])
        return run
    }

    @Test func theCountdownMovesTheWatchdogsDeadline() {
        var run = Self.atKeepQuestion()
        let at = Date(timeIntervalSince1970: 2_000_000_100)
        run.send(.keepCountdownStarted(revertAt: at), stage: .awaitingKeep, effects: [])
        #expect(run.state.watchdog?.revertAt == at)
    }

    @Test func keepStandsTheWatchdogDownThenGoesOn() {
        var run = Self.atKeepQuestion()
        run.send(.keepChanges, stage: .disarmingWatchdog, effects: [.standDownWatchdog])
        #expect(run.state.keepAnswer == true)
        run.send(.watchdogStoodDown, stage: .confirming, effects: [.confirmEnforcement(RunFixtures.rewriteOnly().confirmation)],
                 changes: [.reloadOrRestart: .verified, .confirm: .applying])
        #expect(run.state.watchdog == nil)
    }

    /// A watchdog that neither stands down nor reverts: the run puts the file back itself.
    @Test func aWatchdogThatDoesNotStandDownIsOverruled() {
        var run = Self.atKeepQuestion()
        run.send(.keepChanges, stage: .disarmingWatchdog, effects: [.standDownWatchdog])
        let reason = "the watchdog did not stand down: hung"
        run.send(.watchdogFailed("hung"), stage: .rollingBack(remaining: [.restoreFile(path: Self.path), .reload(.hostsslRules)], step: .reloadOrRestart, reason: reason),
                 effects: [.restoreFile(path: Self.path)], changes: [.reloadOrRestart: .failed])
    }

    @Test func aRevertTheWatchdogMadeIsRecordedNotRepeated() {
        var run = Self.atKeepQuestion(confirmByCommand: true)
        let outcome = RunOutcome.rolledBack(step: .reloadOrRestart, reason: "nobody kept the changes in time: the watchdog put pg_hba.conf back")
        run.send(.watchdogReverted(failure: nil), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.hbaRewrite: .rolledBack, .reloadOrRestart: .rolledBack])
        #expect(run.state.watchdog == nil)
    }

    @Test func aKeepThatCameTooLateEndsRolledBack() {
        var run = Self.atKeepQuestion()
        run.send(.keepChanges, stage: .disarmingWatchdog, effects: [.standDownWatchdog])
        let outcome = RunOutcome.rolledBack(step: .reloadOrRestart, reason: "nobody kept the changes in time: the watchdog put pg_hba.conf back")
        run.send(.watchdogReverted(failure: nil), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.hbaRewrite: .rolledBack, .reloadOrRestart: .rolledBack])
    }

    @Test func aWatchdogThatCouldNotPutTheFileBackEndsRollbackFailed() {
        var run = Self.atKeepQuestion()
        let outcome = RunOutcome.rollbackFailed(step: .reloadOrRestart,
                                                reason: "nobody kept the changes in time: the watchdog put pg_hba.conf back, but server gone")
        run.send(.watchdogReverted(failure: "server gone"), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.reloadOrRestart: .failed])
    }

    /// Killed after the watchdog armed but before the run recorded it: the
    /// watchdog's revert (at its first deadline) still closes the run.
    @Test func aRevertRecordedWhileStillArming() {
        var run = Self.atArming()
        let outcome = RunOutcome.rolledBack(step: .reloadOrRestart, reason: "nobody kept the changes in time: the watchdog put pg_hba.conf back")
        run.send(.watchdogReverted(failure: nil), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.hbaRewrite: .rolledBack, .reloadOrRestart: .rolledBack])
    }

    /// No watchdog, no live rules: the file is put back, nothing reloaded.
    @Test func aWatchdogThatCannotBeStartedStopsBeforeTheReload() {
        var run = Self.atArming()
        let reason = "the revert watchdog could not be started, so the new rules were not loaded: no executable"
        run.send(.watchdogFailed("no executable"), stage: .rollingBack(remaining: [.restoreFile(path: Self.path)], step: .reloadOrRestart, reason: reason),
                 effects: [.restoreFile(path: Self.path)], changes: [.reloadOrRestart: .failed])
    }

    /// A failure while the watchdog guards the rules: it stands down first, then the run puts the file back once.
    @Test func aFailureWhileArmedStandsTheWatchdogDownFirst() {
        var run = RunDriver(RunFixtures.rewriteOnly(), interactive: true)
        run.state = Self.atKeepQuestion().state
        run.steps = run.state.steps
        run.state.stage = .deadManCheck
        let reason = "dead-man check: no new SSL connection within 10 s: refused"
        run.send(.testConnectionFailed("refused"),
                 stage: .rollingBack(remaining: [.standDownWatchdog, .restoreFile(path: Self.path), .reload(.hostsslRules)], step: .reloadOrRestart, reason: reason),
                 effects: [.standDownWatchdog], changes: [.reloadOrRestart: .failed])
        run.send(.watchdogStoodDown, stage: .rollingBack(remaining: [.restoreFile(path: Self.path), .reload(.hostsslRules)], step: .reloadOrRestart, reason: reason),
                 effects: [.restoreFile(path: Self.path)])
        #expect(run.state.watchdog == nil)
    }

    /// `apply` without --confirm-within asks nobody: no watchdog.
    @Test func aRunNobodyAnswersArmsNoWatchdog() {
        var run = RunDriver(RunFixtures.rewriteOnly())
        run.send(.confirmed(through: .confirm), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.hbaRewrite: .confirmed, .reloadOrRestart: .confirmed, .confirm: .confirmed])
        run.send(.preflightPassed, stage: .writingHBA(index: 0), effects: [.writeFile(RunFixtures.hbaWrite)], changes: [.hbaRewrite: .applying])
        run.send(.fileWritten(path: Self.path, backup: "/b"), stage: .checkingCandidateHBA, effects: [.checkCandidateHBA])
        run.send(.preReloadChecksPassed, stage: .checkingBeforeReload(.hostsslRules), effects: [.checkBeforeReload(.hostsslRules)],
                 changes: [.hbaRewrite: .verified, .reloadOrRestart: .applying])
    }
}
