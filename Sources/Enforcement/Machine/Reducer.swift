extension RunState {
    /// The state machine: one event in, the state moved, the next effects
    /// out. An event the current stage does not expect is recorded in
    /// `rejected` and changes nothing else.
    public mutating func reduce(_ event: RunEvent) -> [Effect] {
        let before = self
        let effects: [Effect]?
        if case .rollbackRequested(let backedUp) = event {
            effects = requestRollback(backedUp: backedUp)
        } else if isBeingRolledBack {
            effects = rollbackTransition(event)
        } else {
            effects = transition(event)
        }
        guard let effects else {
            self = before
            rejected.append("\(event) while \(stage)")
            return []
        }
        return effects
    }

    /// nil: the event does not fit the stage.
    mutating func transition(_ event: RunEvent) -> [Effect]? {
        switch (stage, event) {
        case (.awaitingConfirmation, .confirmed(let through)):
            return confirm(through: through)
        case (.awaitingConfirmation, .stop):
            return enter(.writingReport(.stoppedBefore(nextStep ?? .confirm)))

        case (.checkingPreflight, .preflightPassed):
            preflightChecked = true
            if status(.preflight) == .confirmed { move(.preflight, to: .applying); move(.preflight, to: .verified) }
            return continueRun()
        case (.checkingPreflight, .preflightFailed(let reason)):
            return enter(.writingReport(.failedBeforeChange(step: .preflight, reason: reason)))

        case (.fixingKeyPermissions, .certificatesWritten), (.installingCertificates, .certificatesWritten):
            applied.certificates = true
            return enter(.checkingCertificates)
        case (.fixingKeyPermissions, .certificatesFailed(let reason)), (.installingCertificates, .certificatesFailed(let reason)):
            // A failed install may have written some files: put back whatever is there.
            applied.certificates = true
            return fail(.certs, reason)
        case (.checkingCertificates, .certificatesChecked(let fingerprint)):
            if let expected = plan.expectedFingerprint, expected != fingerprint {
                return fail(.certs, "the certificate on disk (SHA-256 \(fingerprint)) is not the planned one (\(expected))")
            }
            expectedFingerprint = fingerprint
            return finish(.certs)
        case (.checkingCertificates, .certificatesFailed(let reason)):
            return fail(.certs, reason)

        default:
            return sslTransition(event) ?? hbaTransition(event) ?? sessionTransition(event) ?? endTransition(event)
        }
    }

    // MARK: - Phase A

    mutating func sslTransition(_ event: RunEvent) -> [Effect]? {
        switch (stage, event) {
        case (.settingSSL, .sqlSucceeded):
            applied.sslStatements = true
            return enter(.checkingBeforeReload(.sslSettings))
        case (.settingSSL, .sqlFailed(let reason)):
            applied.sslStatements = true
            return fail(.sslOn, "ALTER SYSTEM failed: \(reason)")
        case (.checkingBeforeReload(.sslSettings), .preReloadChecksPassed):
            return enter(plan.phaseA == .restart ? .restarting : .reloading(.sslSettings))
        case (.checkingBeforeReload(.sslSettings), .preReloadChecksFailed(let problems)):
            return fail(.sslOn, "not reloaded: " + problems.joined(separator: "; "))
        case (.reloading(.sslSettings), .reloaded), (.restarting, .restarted):
            applied.phaseALoaded = true
            return enter(.provingTLS)
        case (.reloading(.sslSettings), .reloadNotTaken(let reason)):
            applied.phaseALoaded = true
            return fail(.sslOn, "the server did not take the reload: \(reason)")
        case (.restarting, .restartFailed(let reason)):
            applied.phaseALoaded = true
            return fail(.sslOn, "restart failed: \(reason)")
        case (.provingTLS, .tlsProven(let fingerprint, let version)):
            if let expected = expectedFingerprint, expected != fingerprint {
                return fail(.sslOn, "the server serves certificate SHA-256 \(fingerprint), not the expected \(expected)")
            }
            // What the server serves from here on is what later checks compare with
            // (the dead-man check's TCP attempt): kept even where nothing was expected.
            expectedFingerprint = fingerprint
            tlsProtocol = version
            return plan.wizardMovesToSSL ? enter(.movingToSSL) : finish(.sslOn)
        case (.provingTLS, .tlsFailed(let reason)):
            return fail(.sslOn, "no TLS handshake after the reload (SHOW ssl is not proof): \(reason)")
        case (.movingToSSL, .reconnectedWithSSL):
            return finish(.sslOn)
        case (.movingToSSL, .reconnectFailed(let reason)):
            return fail(.sslOn, "the wizard could not move its own connection to SSL, so phase B would lock it out: \(reason)")
        default:
            return nil
        }
    }

    // MARK: - Phase B

    mutating func hbaTransition(_ event: RunEvent) -> [Effect]? {
        switch (stage, event) {
        case (.writingHBA(let index), .fileWritten(let path, let backup)) where plan.hbaWrites[index].path == path:
            applied.hbaFiles.append(path)
            if let backup { backups[path] = backup }
            return enter(index + 1 < plan.hbaWrites.count ? .writingHBA(index: index + 1) : .checkingCandidateHBA)
        case (.writingHBA(let index), .fileWriteFailed(let path, let reason)) where plan.hbaWrites[index].path == path:
            return fail(.hbaRewrite, "writing \(path) failed: \(reason)")
        case (.checkingCandidateHBA, .preReloadChecksPassed):
            return finish(.hbaRewrite)
        case (.checkingCandidateHBA, .preReloadChecksFailed(let problems)):
            return fail(.hbaRewrite, "the rewritten file failed its checks: " + problems.joined(separator: "; "))
        case (.checkingBeforeReload(.hostsslRules), .preReloadChecksPassed):
            return enter(.reloading(.hostsslRules))
        case (.checkingBeforeReload(.hostsslRules), .preReloadChecksFailed(let problems)):
            return fail(.reloadOrRestart, "not reloaded: " + problems.joined(separator: "; "))
        case (.reloading(.hostsslRules), .reloaded):
            applied.phaseBLoaded = true
            return enter(.deadManCheck)
        case (.reloading(.hostsslRules), .reloadNotTaken(let reason)):
            applied.phaseBLoaded = true
            return fail(.reloadOrRestart, "the server did not take the reload: \(reason)")
        case (.armingWatchdog, .watchdogArmed(let arm)):
            watchdog = arm
            return enter(.checkingBeforeReload(.hostsslRules))
        case (.armingWatchdog, .watchdogFailed(let reason)):
            return fail(.reloadOrRestart, "the revert watchdog could not be started, so the new rules were not loaded: \(reason)")
        case (.deadManCheck, .testConnectionSucceeded):
            return asksKeep ? enter(.awaitingKeep) : finish(.reloadOrRestart)
        case (.awaitingKeep, .keepCountdownStarted(let revertAt)):
            watchdog?.revertAt = revertAt
            return []
        case (.deadManCheck, .testConnectionFailed(let reason)):
            return fail(.reloadOrRestart, "dead-man check: no new SSL connection within \(plan.deadManSeconds) s: \(reason)")
        case (.awaitingKeep, .keepChanges), (.awaitingKeep, .revertChanges):
            let keep = event == .keepChanges
            guard watchdog != nil else { return keep ? finish(.reloadOrRestart) : fail(.reloadOrRestart, Self.notKept) }
            keepAnswer = keep
            return enter(.disarmingWatchdog)
        case (.disarmingWatchdog, .watchdogFailed(let reason)):
            // It neither stood down nor reverted: the run puts the file back itself (the same bytes, if it does too).
            watchdog = nil
            return fail(.reloadOrRestart, "the watchdog did not stand down: \(reason)")
        case (.disarmingWatchdog, .watchdogStoodDown):
            watchdog = nil
            return keepAnswer == true ? finish(.reloadOrRestart) : fail(.reloadOrRestart, Self.notKept)
        case (.armingWatchdog, .watchdogReverted(let failure)),
             (.checkingBeforeReload(.hostsslRules), .watchdogReverted(let failure)), (.reloading(.hostsslRules), .watchdogReverted(let failure)),
             (.deadManCheck, .watchdogReverted(let failure)), (.awaitingKeep, .watchdogReverted(let failure)),
             (.disarmingWatchdog, .watchdogReverted(let failure)):
            // The watchdog put pg_hba.conf back and reloaded it itself: the run only records it.
            watchdog = nil
            move(.reloadOrRestart, to: .failed)
            let reason = "nobody kept the changes in time: the watchdog put pg_hba.conf back"
            if let failure { return enter(.writingReport(.rollbackFailed(step: .reloadOrRestart, reason: reason + ", but " + failure))) }
            markRolledBack(after: .reloadOrRestart)
            return enter(.writingReport(.rolledBack(step: .reloadOrRestart, reason: reason)))
        default:
            return nil
        }
    }

    // MARK: - Terminate and confirm

    mutating func sessionTransition(_ event: RunEvent) -> [Effect]? {
        switch (stage, event) {
        case (.terminating, .terminated(let signalled, let remaining)), (.refreshingSessions, .terminated(let signalled, let remaining)):
            let planned = Set(plan.terminate.map(\.pid))
            ended = signalled.filter(planned.contains)
            if !remaining.isEmpty {
                return stopOnFailure(.terminateNonSSL, "still connected after pg_terminate_backend: pid " + remaining.map(String.init).joined(separator: ", "))
            }
            return standbys.isEmpty ? finish(.terminateNonSSL) : enter(.awaitingStandbys)
        case (.awaitingStandbys, .standbysStreaming(let missing)):
            for name in missing {
                warnings.append("standby \(name) does not stream again over SSL: set sslmode=require (or prefer) in its primary_conninfo and check that the new rules admit its replication user with SSL")
            }
            return finish(.terminateNonSSL)
        case (.confirming, .confirmationFindings(let problems)):
            if !problems.isEmpty { return stopOnFailure(.confirm, problems.joined(separator: "; ")) }
            return finish(.confirm)
        default:
            return nil
        }
    }

    // MARK: - Rollback and the end

    mutating func endTransition(_ event: RunEvent) -> [Effect]? {
        switch (stage, event) {
        case (.rollingBack(let remaining, let step, let reason), .watchdogStoodDown),
             (.rollingBack(let remaining, let step, let reason), .watchdogReverted(nil)),
             (.rollingBack(let remaining, let step, let reason), .sqlSucceeded),
             (.rollingBack(let remaining, let step, let reason), .restored),
             (.rollingBack(let remaining, let step, let reason), .reloaded),
             (.rollingBack(let remaining, let step, let reason), .restarted):
            guard let done = remaining.first, Self.completes(done, event) else { return nil }
            if done == .standDownWatchdog { watchdog = nil }
            let rest = Array(remaining.dropFirst())
            if !rest.isEmpty { return enter(.rollingBack(remaining: rest, step: step, reason: reason)) }
            markRolledBack(after: step)
            return enter(.writingReport(.rolledBack(step: step, reason: reason)))
        case (.rollingBack(_, let step, let reason), .watchdogFailed(let why)),
             (.rollingBack(_, let step, let reason), .watchdogReverted(let why?)),
             (.rollingBack(_, let step, let reason), .sqlFailed(let why)),
             (.rollingBack(_, let step, let reason), .undoFailed(let why)),
             (.rollingBack(_, let step, let reason), .reloadNotTaken(let why)),
             (.rollingBack(_, let step, let reason), .restartFailed(let why)):
            return enter(.writingReport(.rollbackFailed(step: step, reason: "\(reason); then putting it back failed: \(why)")))
        case (.writingReport(let outcome), .reportWritten(let path)):
            reportPath = path
            return enter(.finished(outcome))
        case (.writingReport(let outcome), .fileWriteFailed(_, let reason)):
            warnings.append("the audit report could not be written: \(reason)")
            return enter(.finished(outcome))
        default:
            return nil
        }
    }

    static let notKept = "the operator did not keep the changes"

    /// Which rollback effect an event answers.
    static func completes(_ effect: Effect, _ event: RunEvent) -> Bool {
        switch (effect, event) {
        case (.standDownWatchdog, .watchdogStoodDown), (.standDownWatchdog, .watchdogReverted(nil)):
            // Put back already by the watchdog: the restore that follows writes the same bytes again.
            return true
        case (.runSQL, .sqlSucceeded), (.reload, .reloaded), (.restart, .restarted),
             (.restoreCertificates, .restored): return true
        case (.restoreFile(let path), .restored(let restoredPath)): return path == restoredPath
        default: return false
        }
    }
}
