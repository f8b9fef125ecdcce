import Foundation
@testable import Enforcement
import Testing

/// Each step's failure: what is undone, in which order, and how the run ends.
struct FailurePathTests {
    /// The full plan, every step confirmed, waiting for the preflight re-check.
    static func confirmedAll() -> RunDriver {
        var run = RunDriver(RunFixtures.full())
        run.send(.confirmed(through: .confirm), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.certs: .confirmed, .sslOn: .confirmed, .hbaRewrite: .confirmed, .reloadOrRestart: .confirmed,
                           .terminateNonSSL: .confirmed, .confirm: .confirmed])
        return run
    }

    /// A driver confirmed through everything, at the start of phase A's SQL.
    static func atSettingSSL() -> RunDriver {
        var run = confirmedAll()
        run.send(.preflightPassed, stage: .installingCertificates, effects: [.installCertificates(RunFixtures.replacement)],
                 changes: [.certs: .applying])
        run.send(.certificatesWritten, stage: .checkingCertificates, effects: [.checkCertificates(expectedFingerprint: nil)])
        run.send(.certificatesChecked(fingerprint: "NEW"), stage: .settingSSL, effects: [.runSQL(RunFixtures.sslStatements)],
                 changes: [.certs: .verified, .sslOn: .applying])
        return run
    }

    /// Phase A proven, the rewritten file on disk, its checks pending.
    static func atCandidateCheck() -> RunDriver {
        var run = atSettingSSL()
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        run.send(.preReloadChecksPassed, stage: .reloading(.sslSettings), effects: [.reload(.sslSettings)])
        run.send(.reloaded, stage: .provingTLS, effects: [.probeTLS(expectedFingerprint: "NEW")])
        run.send(.tlsProven(fingerprint: "NEW", protocolVersion: "TLSv1.3"), stage: .movingToSSL, effects: [.reconnectWithSSL])
        run.send(.reconnectedWithSSL, stage: .writingHBA(index: 0), effects: [.writeFile(RunFixtures.hbaWrite)],
                 changes: [.sslOn: .verified, .hbaRewrite: .applying])
        run.send(.fileWritten(path: "/data/pg_hba.conf", backup: "/b"), stage: .checkingCandidateHBA, effects: [.checkCandidateHBA])
        return run
    }

    /// Phase B is about to reload.
    static func atPhaseBReload() -> RunDriver {
        var run = atCandidateCheck()
        run.send(.preReloadChecksPassed, stage: .checkingBeforeReload(.hostsslRules), effects: [.checkBeforeReload(.hostsslRules)],
                 changes: [.hbaRewrite: .verified, .reloadOrRestart: .applying])
        run.send(.preReloadChecksPassed, stage: .reloading(.hostsslRules), effects: [.reload(.hostsslRules)])
        return run
    }

    @Test func preflightRecheckFailsAndNothingChanges() {
        var run = Self.confirmedAll()
        let outcome = RunOutcome.failedBeforeChange(step: .preflight, reason: "pg_hba.conf changed since the plan")
        run.send(.preflightFailed("pg_hba.conf changed since the plan"), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)])
        #expect(run.state.applied == RunState.Applied())
    }

    @Test func certificateInstallFailurePutsBackWhateverWasWritten() {
        var run = Self.confirmedAll()
        run.send(.preflightPassed, stage: .installingCertificates, effects: [.installCertificates(RunFixtures.replacement)],
                 changes: [.certs: .applying])
        run.send(.certificatesFailed("disk full"),
                 stage: .rollingBack(remaining: [.restoreCertificates], step: .certs, reason: "disk full"),
                 effects: [.restoreCertificates], changes: [.certs: .failed])
        let outcome = RunOutcome.rolledBack(step: .certs, reason: "disk full")
        run.send(.restored(path: "/data/server.crt"), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.certs: .rolledBack])
    }

    @Test func configurationFileErrorBeforePhaseAUndoesTheSQLWithoutAReload() {
        var run = Self.atSettingSSL()
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        let reason = "not reloaded: postgresql.conf line 3: syntax error"
        let undo: [Effect] = [.runSQL(RunFixtures.sslRollback), .restoreCertificates]
        run.send(.preReloadChecksFailed(["postgresql.conf line 3: syntax error"]),
                 stage: .rollingBack(remaining: undo, step: .sslOn, reason: reason), effects: [undo[0]], changes: [.sslOn: .failed])
        run.send(.sqlSucceeded, stage: .rollingBack(remaining: [.restoreCertificates], step: .sslOn, reason: reason), effects: [.restoreCertificates])
        let outcome = RunOutcome.rolledBack(step: .sslOn, reason: reason)
        run.send(.restored(path: "/data/server.key"), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.sslOn: .rolledBack, .certs: .rolledBack])
    }

    @Test func noHandshakeAfterPhaseAReloadRollsBackAndReloadsAgain() {
        var run = Self.atSettingSSL()
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        run.send(.preReloadChecksPassed, stage: .reloading(.sslSettings), effects: [.reload(.sslSettings)])
        run.send(.reloaded, stage: .provingTLS, effects: [.probeTLS(expectedFingerprint: "NEW")])
        let reason = "no TLS handshake after the reload (SHOW ssl is not proof): could not load private key file"
        let undo: [Effect] = [.runSQL(RunFixtures.sslRollback), .restoreCertificates, .reload(.sslSettings)]
        run.send(.tlsFailed("could not load private key file"), stage: .rollingBack(remaining: undo, step: .sslOn, reason: reason),
                 effects: [undo[0]], changes: [.sslOn: .failed])
        run.send(.sqlSucceeded, stage: .rollingBack(remaining: Array(undo.dropFirst()), step: .sslOn, reason: reason), effects: [undo[1]])
        // An event that does not answer the pending undo is rejected and changes nothing.
        let before = run.state
        #expect(run.state.reduce(.reloaded).isEmpty)
        #expect(run.state.stage == before.stage && run.state.steps == before.steps && run.state.rejected.count == 1)
        run.state.rejected = []
        run.send(.restored(path: "/data/server.crt"), stage: .rollingBack(remaining: [.reload(.sslSettings)], step: .sslOn, reason: reason), effects: [.reload(.sslSettings)])
        let outcome = RunOutcome.rolledBack(step: .sslOn, reason: reason)
        run.send(.reloaded, stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)], changes: [.sslOn: .rolledBack, .certs: .rolledBack])
    }

    @Test func wrongCertificateServedFailsPhaseA() {
        var run = Self.atSettingSSL()
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        run.send(.preReloadChecksPassed, stage: .reloading(.sslSettings), effects: [.reload(.sslSettings)])
        run.send(.reloaded, stage: .provingTLS, effects: [.probeTLS(expectedFingerprint: "NEW")])
        let reason = "the server serves certificate SHA-256 OLD, not the expected NEW"
        let undo: [Effect] = [.runSQL(RunFixtures.sslRollback), .restoreCertificates, .reload(.sslSettings)]
        run.send(.tlsProven(fingerprint: "OLD", protocolVersion: "TLSv1.3"), stage: .rollingBack(remaining: undo, step: .sslOn, reason: reason),
                 effects: [undo[0]], changes: [.sslOn: .failed])
    }

    @Test func reloadNotTakenInPhaseARollsBack() {
        var run = Self.atSettingSSL()
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        run.send(.preReloadChecksPassed, stage: .reloading(.sslSettings), effects: [.reload(.sslSettings)])
        let reason = "the server did not take the reload: pg_conf_load_time() did not move"
        run.send(.reloadNotTaken("pg_conf_load_time() did not move"),
                 stage: .rollingBack(remaining: [.runSQL(RunFixtures.sslRollback), .restoreCertificates, .reload(.sslSettings)], step: .sslOn, reason: reason),
                 effects: [.runSQL(RunFixtures.sslRollback)], changes: [.sslOn: .failed])
    }

    @Test func wizardThatCannotMoveToSSLNeverReachesPhaseB() {
        var run = Self.atSettingSSL()
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        run.send(.preReloadChecksPassed, stage: .reloading(.sslSettings), effects: [.reload(.sslSettings)])
        run.send(.reloaded, stage: .provingTLS, effects: [.probeTLS(expectedFingerprint: "NEW")])
        run.send(.tlsProven(fingerprint: "NEW", protocolVersion: "TLSv1.2"), stage: .movingToSSL, effects: [.reconnectWithSSL])
        let reason = "the wizard could not move its own connection to SSL, so phase B would lock it out: hostnossl rule"
        run.send(.reconnectFailed("hostnossl rule"),
                 stage: .rollingBack(remaining: [.runSQL(RunFixtures.sslRollback), .restoreCertificates, .reload(.sslSettings)], step: .sslOn, reason: reason),
                 effects: [.runSQL(RunFixtures.sslRollback)], changes: [.sslOn: .failed])
        #expect(run.state.applied.hbaFiles.isEmpty)
    }

    @Test func brokenCandidateIsRestoredWithoutAnyReload() {
        var run = Self.atCandidateCheck()
        let reason = "the rewritten file failed its checks: pg_hba_file_rules line 3: invalid IP address"
        run.send(.preReloadChecksFailed(["pg_hba_file_rules line 3: invalid IP address"]),
                 stage: .rollingBack(remaining: [.restoreFile(path: "/data/pg_hba.conf")], step: .hbaRewrite, reason: reason),
                 effects: [.restoreFile(path: "/data/pg_hba.conf")], changes: [.hbaRewrite: .failed])
        let outcome = RunOutcome.rolledBack(step: .hbaRewrite, reason: reason)
        // Phase A stays: SSL on is harmless without the rewrite.
        run.send(.restored(path: "/data/pg_hba.conf"), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.hbaRewrite: .rolledBack])
        #expect(run.state.steps[.sslOn] == .verified)
    }

    @Test func deadManFailureRestoresTheFileAndReloads() {
        var run = Self.atPhaseBReload()
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        let reason = "dead-man check: no new SSL connection within 10 s: timeout"
        let undo: [Effect] = [.restoreFile(path: "/data/pg_hba.conf"), .reload(.hostsslRules)]
        run.send(.testConnectionFailed("timeout"), stage: .rollingBack(remaining: undo, step: .reloadOrRestart, reason: reason),
                 effects: [undo[0]], changes: [.reloadOrRestart: .failed])
        run.send(.restored(path: "/data/pg_hba.conf"), stage: .rollingBack(remaining: [.reload(.hostsslRules)], step: .reloadOrRestart, reason: reason),
                 effects: [.reload(.hostsslRules)])
        let outcome = RunOutcome.rolledBack(step: .reloadOrRestart, reason: reason)
        run.send(.reloaded, stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.reloadOrRestart: .rolledBack, .hbaRewrite: .rolledBack])
    }

    @Test func reloadNotTakenInPhaseBRestoresAndReloads() {
        var run = Self.atPhaseBReload()
        let reason = "the server did not take the reload: log says pg_hba.conf was not reloaded"
        run.send(.reloadNotTaken("log says pg_hba.conf was not reloaded"),
                 stage: .rollingBack(remaining: [.restoreFile(path: "/data/pg_hba.conf"), .reload(.hostsslRules)], step: .reloadOrRestart, reason: reason),
                 effects: [.restoreFile(path: "/data/pg_hba.conf")], changes: [.reloadOrRestart: .failed])
    }

    @Test func operatorRevertsAtTheKeepPrompt() {
        var run = RunDriver(RunFixtures.rewriteOnly(), interactive: true)
        run.send(.confirmed(through: .confirm), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.hbaRewrite: .confirmed, .reloadOrRestart: .confirmed, .confirm: .confirmed])
        run.send(.preflightPassed, stage: .writingHBA(index: 0), effects: [.writeFile(RunFixtures.hbaWrite)], changes: [.hbaRewrite: .applying])
        run.send(.fileWritten(path: "/data/pg_hba.conf", backup: "/b"), stage: .checkingCandidateHBA, effects: [.checkCandidateHBA])
        // Someone answers "keep?": the watchdog is armed before the rules go live.
        run.send(.preReloadChecksPassed, stage: .armingWatchdog, effects: [.armWatchdog(seconds: 100)],
                 changes: [.hbaRewrite: .verified, .reloadOrRestart: .applying])
        run.send(.watchdogArmed(WatchdogPathTests.arm), stage: .checkingBeforeReload(.hostsslRules), effects: [.checkBeforeReload(.hostsslRules)])
        run.send(.preReloadChecksPassed, stage: .reloading(.hostsslRules), effects: [.reload(.hostsslRules)])
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        run.send(.testConnectionSucceeded, stage: .awaitingKeep, effects: [.startKeepCountdown(seconds: 60)])
        // The answer first stands the watchdog down; then the run puts the file back itself.
        run.send(.revertChanges, stage: .disarmingWatchdog, effects: [.standDownWatchdog])
        #expect(run.state.keepAnswer == false)
        let reason = "the operator did not keep the changes"
        run.send(.watchdogStoodDown, stage: .rollingBack(remaining: [.restoreFile(path: "/data/pg_hba.conf"), .reload(.hostsslRules)], step: .reloadOrRestart, reason: reason),
                 effects: [.restoreFile(path: "/data/pg_hba.conf")], changes: [.reloadOrRestart: .failed])
        #expect(run.state.watchdog == nil)
    }

    @Test func undoThatFailsEndsInRollbackFailed() {
        var run = Self.atPhaseBReload()
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        let reason = "dead-man check: no new SSL connection within 10 s: refused"
        run.send(.testConnectionFailed("refused"),
                 stage: .rollingBack(remaining: [.restoreFile(path: "/data/pg_hba.conf"), .reload(.hostsslRules)], step: .reloadOrRestart, reason: reason),
                 effects: [.restoreFile(path: "/data/pg_hba.conf")], changes: [.reloadOrRestart: .failed])
        let outcome = RunOutcome.rollbackFailed(step: .reloadOrRestart, reason: reason + "; then putting it back failed: backup missing")
        run.send(.undoFailed("backup missing"), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)])
    }

    @Test func sessionsThatSurviveTerminationEndTheRunIncomplete() {
        var run = Self.atPhaseBReload()
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        run.send(.testConnectionSucceeded, stage: .terminating, effects: [.terminate(pids: [101, 102], timeoutMilliseconds: 5000)],
                 changes: [.reloadOrRestart: .verified, .terminateNonSSL: .applying])
        let outcome = RunOutcome.incomplete(step: .terminateNonSSL, reason: "still connected after pg_terminate_backend: pid 101")
        run.send(.terminated(ended: [101], remaining: [101]), stage: .writingReport(outcome), effects: [.writeAuditReport(outcome)],
                 changes: [.terminateNonSSL: .failed])
    }

    @Test func standbyThatDoesNotComeBackIsReportedNotRolledBack() {
        var run = Self.atPhaseBReload()
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        run.send(.testConnectionSucceeded, stage: .terminating, effects: [.terminate(pids: [101, 102], timeoutMilliseconds: 5000)],
                 changes: [.reloadOrRestart: .verified, .terminateNonSSL: .applying])
        run.send(.terminated(ended: [102], remaining: []), stage: .awaitingStandbys, effects: [.awaitStandbys(["replica1"])])
        run.send(.standbysStreaming(missing: ["replica1"]), stage: .confirming, effects: [.confirmEnforcement(RunFixtures.full().confirmation)],
                 changes: [.terminateNonSSL: .verified, .confirm: .applying])
        #expect(run.state.warnings.count == 1 && run.state.warnings[0].contains("primary_conninfo"))
    }

    /// A standby whose walsender was already gone (or had come back over SSL)
    /// when the statement ran was not ended by the run: nothing to wait for.
    @Test func aStandbyTheRunDidNotEndIsNotWaitedFor() {
        var run = Self.atPhaseBReload()
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        run.send(.testConnectionSucceeded, stage: .terminating, effects: [.terminate(pids: [101, 102], timeoutMilliseconds: 5000)],
                 changes: [.reloadOrRestart: .verified, .terminateNonSSL: .applying])
        run.send(.terminated(ended: [101], remaining: []), stage: .confirming, effects: [.confirmEnforcement(RunFixtures.full().confirmation)],
                 changes: [.terminateNonSSL: .verified, .confirm: .applying])
        #expect(run.state.warnings.isEmpty)
    }

    @Test func failedConfirmationEndsIncomplete() {
        var run = RunDriver(RunFixtures.rewriteOnly())
        run.state.steps = [.preflight: .satisfied, .certs: .satisfied, .sslOn: .satisfied, .hbaRewrite: .verified,
                           .reloadOrRestart: .verified, .terminateNonSSL: .satisfied, .confirm: .applying]
        run.steps = run.state.steps
        run.state.stage = .confirming
        let outcome = RunOutcome.incomplete(step: .confirm, reason: "a sslmode=disable connection was admitted")
        run.send(.confirmationFindings(problems: ["a sslmode=disable connection was admitted"]), stage: .writingReport(outcome),
                 effects: [.writeAuditReport(outcome)], changes: [.confirm: .failed])
    }

    @Test func eventsOutOfPlaceAreRejectedAndChangeNothing() {
        var state = RunState(plan: RunFixtures.full())
        let before = state
        for event: RunEvent in [.reloaded, .preflightPassed, .sqlSucceeded, .keepChanges, .terminated(ended: [], remaining: []),
                                .fileWritten(path: "/data/pg_hba.conf", backup: nil), .reportWritten(path: "/r")] {
            #expect(state.reduce(event).isEmpty)
        }
        #expect(state.stage == before.stage && state.steps == before.steps && state.applied == before.applied)
        #expect(state.rejected.count == 7)
    }

    @Test func everyStageReissuesItsEffectsOnResume() throws {
        var run = Self.atPhaseBReload()
        let data = try JSONEncoder().encode(run.state)
        let resumed = try JSONDecoder().decode(RunState.self, from: data)
        #expect(resumed == run.state)
        #expect(resumed.entryEffects == [.reload(.hostsslRules)])
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
    }
}
