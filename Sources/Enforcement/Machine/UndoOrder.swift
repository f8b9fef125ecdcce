/// The one order in which a run's changes are put back, for both ways a run
/// is undone: a failed step undoing its own phase (`RunState.fail`) and the
/// operator's `rollback` of a whole run (`RunState.requestRollback`).
/// Phase B goes first, so no TCP client is shut out by the hostssl rules
/// while SSL is being taken away (docs/DESIGN.md, "Resume and rollback").
enum UndoOrder {
    /// Phase A's changes, newest first: the settings, the certificate files, then the load that makes them live.
    /// `restart`: load them by a restart, as the failed run itself did.
    static func phaseA(_ applied: RunState.Applied, plan: RunPlan, restart: Bool) -> [Effect] {
        var undo: [Effect] = []
        if applied.sslStatements && !plan.sslRollback.isEmpty { undo.append(.runSQL(plan.sslRollback)) }
        if applied.certificates { undo.append(.restoreCertificates) }
        if applied.phaseALoaded { undo.append(restart ? .restart : .reload(.sslSettings)) }
        return undo
    }

    /// Phase B's changes: the watchdog stands down first, so the file is put
    /// back once, by the run; then the files, newest first, and their reload.
    static func phaseB(_ applied: RunState.Applied, watchdogArmed: Bool) -> [Effect] {
        var undo: [Effect] = watchdogArmed ? [.standDownWatchdog] : []
        undo += applied.hbaFiles.reversed().map { .restoreFile(path: $0) }
        if applied.phaseBLoaded { undo.append(.reload(.hostsslRules)) }
        return undo
    }

    /// The whole run, finished or interrupted. What was applied is taken from
    /// the plan and the backups the journal recorded, not from the saved
    /// state: a kill may have come between a write and the record noting it.
    static func wholeRun(_ plan: RunPlan, backedUp: Set<String>) -> [Effect] {
        var applied = RunState.Applied()
        applied.hbaFiles = plan.hbaWrites.map(\.path).filter(backedUp.contains)
        applied.phaseBLoaded = !applied.hbaFiles.isEmpty
        applied.sslStatements = !plan.sslRollback.isEmpty
        applied.certificates = plan.certificates != nil
        applied.phaseALoaded = applied.sslStatements || applied.certificates
        // Reloaded, never restarted: what was applied is a guess from the plan,
        // and a restart would drop every session for a change that may never
        // have been made; a setting that needs one shows in the verification.
        return phaseB(applied, watchdogArmed: false) + phaseA(applied, plan: plan, restart: false)
    }

    /// What a problem with an undo effect is called in the rollback's findings.
    static func label(_ effect: Effect) -> String {
        switch effect {
        case .restoreFile(let path): return "restoring \(path)"
        case .reload(.hostsslRules): return "reloading the restored pg_hba.conf"
        case .reload(.sslSettings), .restart: return "reloading the settings"
        case .runSQL: return "ALTER SYSTEM"
        case .restoreCertificates: return "certificate files"
        case .standDownWatchdog: return "standing the watchdog down"
        default: return "\(effect)"
        }
    }
}
