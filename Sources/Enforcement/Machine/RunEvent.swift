import Foundation

/// What the executor (or the operator) reports back. Which events a stage
/// accepts is decided in `RunState.reduce`; any other is rejected and changes nothing.
public enum RunEvent: Hashable, Sendable, Codable {
    // The operator.
    case confirmed(through: StepName)
    case stop
    /// `pg-ssl-wizard rollback`: undo the whole run; these planned files have a backup in the run's journal.
    case rollbackRequested(backedUp: [String])
    case keepChanges
    case revertChanges

    // The revert watchdog.
    case watchdogArmed(WatchdogArm)
    case watchdogFailed(String)
    /// The keep question is asked; unanswered, the rules go at `revertAt`.
    case keepCountdownStarted(revertAt: Date)
    case watchdogStoodDown
    /// The watchdog put pg_hba.conf back itself (no answer in time, or
    /// `rollback` asked it to); nil when that worked, else why not.
    case watchdogReverted(failure: String?)

    // Checks and changes.
    case preflightPassed
    case preflightFailed(String)
    case certificatesWritten
    case certificatesChecked(fingerprint: String)
    case certificatesFailed(String)
    case sqlSucceeded
    case sqlFailed(String)
    case preReloadChecksPassed
    case preReloadChecksFailed([String])
    /// The reload took: `pg_conf_load_time()` moved and the server parsed the unchanged pg_hba.conf cleanly.
    case reloaded
    case reloadNotTaken(String)
    case restarted
    case restartFailed(String)
    case tlsProven(fingerprint: String, protocolVersion: String)
    case tlsFailed(String)
    case reconnectedWithSSL
    case reconnectFailed(String)
    case fileWritten(path: String, backup: String?)
    case fileWriteFailed(path: String, reason: String)
    case testConnectionSucceeded
    case testConnectionFailed(String)
    /// `ended`: the pids signalled (none still exposed: nothing to do), and
    /// on an attempt issued again, planned walsenders the earlier one had ended
    /// (their standbys are waited for);
    /// `remaining`: those still there after the wait.
    case terminated(ended: [Int32], remaining: [Int32])
    case standbysStreaming(missing: [String])
    case confirmationFindings(problems: [String])
    case reportWritten(path: String)
    case restored(path: String)
    case undoFailed(String)
    /// The operator's rollback was checked against the backups and the settings from before the run.
    case rollbackVerified(problems: [String])
}
