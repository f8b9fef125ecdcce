extension RunState {
    /// The operator confirms every planned step up to `through`.
    mutating func confirm(through: StepName) -> [Effect] {
        for step in StepName.allCases where step <= through && status(step) == .planned {
            move(step, to: .confirmed)
        }
        return preflightChecked ? continueRun() : enter(.checkingPreflight)
    }

    /// The first step that still needs something.
    public var nextStep: StepName? { StepName.allCases.first { !status($0).isDone } }

    /// Start the next confirmed step, wait for a confirmation, or finish.
    mutating func continueRun() -> [Effect] {
        guard let next = nextStep else { return enter(.writingReport(.enforced)) }
        guard status(next) == .confirmed else { return enter(.awaitingConfirmation) }
        return start(next)
    }

    mutating func start(_ step: StepName) -> [Effect] {
        move(step, to: .applying)
        switch step {
        case .preflight:
            return finish(.preflight)
        case .certs:
            switch plan.certificates {
            case .fixKeyPermissions: return enter(.fixingKeyPermissions)
            case .create: return enter(.installingCertificates)
            case nil: return enter(.checkingCertificates)
            }
        case .sslOn:
            return enter(plan.sslStatements.isEmpty ? .checkingBeforeReload(.sslSettings) : .settingSSL)
        case .hbaRewrite:
            // No writes: the files are applied by hand (not on the database host); check them.
            return enter(plan.hbaWrites.isEmpty ? .checkingCandidateHBA : .writingHBA(index: 0))
        case .reloadOrRestart:
            // The watchdog is armed before the rules go live, so losing the operator never leaves them unconfirmed.
            return asksKeep && !plan.hbaWrites.isEmpty && watchdog == nil ? enter(.armingWatchdog) : enter(.checkingBeforeReload(.hostsslRules))
        case .terminateNonSSL:
            // No look first: the statement that ends them re-reads which are still exposed.
            return plan.terminate.isEmpty ? finish(.terminateNonSSL) : enter(.terminating)
        case .confirm:
            return enter(.confirming)
        }
    }

    mutating func finish(_ step: StepName) -> [Effect] {
        move(step, to: .verified)
        return continueRun()
    }

    /// A step of phase A or B failed: undo what its phase changed, in reverse.
    mutating func fail(_ step: StepName, _ reason: String) -> [Effect] {
        move(step, to: .failed)
        let undo = Self.phaseA.contains(step) ? UndoOrder.phaseA(applied, plan: plan, restart: plan.phaseA == .restart)
            : UndoOrder.phaseB(applied, watchdogArmed: watchdog != nil)
        if undo.isEmpty {
            if applied == Applied() { return enter(.writingReport(.failedBeforeChange(step: step, reason: reason))) }
            markRolledBack(after: step)
            return enter(.writingReport(.rolledBack(step: step, reason: reason)))
        }
        return enter(.rollingBack(remaining: undo, step: step, reason: reason))
    }

    /// A step failed once the rules were live: nothing to undo, the report says what is left.
    mutating func stopOnFailure(_ step: StepName, _ reason: String) -> [Effect] {
        move(step, to: .failed)
        return enter(.writingReport(.incomplete(step: step, reason: reason)))
    }

    static let phaseA: [StepName] = [.certs, .sslOn]
    static let phaseB: [StepName] = [.hbaRewrite, .reloadOrRestart]

    /// The failed step and the verified steps of its phase are now rolled back.
    mutating func markRolledBack(after failed: StepName) {
        let phase = Self.phaseA.contains(failed) ? Self.phaseA : Self.phaseB
        for step in phase where status(step) == .verified || step == failed {
            move(step, to: .rolledBack)
        }
    }

    /// Moves only along `StepStatus.successors`; anything else is a bug, recorded.
    mutating func move(_ step: StepName, to next: StepStatus) {
        guard status(step).successors.contains(next) else {
            rejected.append("invalid step transition \(step.rawValue): \(status(step).rawValue) -> \(next.rawValue)")
            return
        }
        steps[step] = next
    }

    mutating func enter(_ next: Stage) -> [Effect] {
        stage = next
        return entryEffects
    }
}
