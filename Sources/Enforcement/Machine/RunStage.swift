/// What a reload loads. Phase A loads the SSL settings; phase B loads the
/// hostssl rules. Never together (docs/POSTGRES.md, "Reload and its failure
/// modes" and "SSL initialisation and reload"): each has its own checks,
/// reload and proof. The raw values are the journal's and the records' words.
public enum Phase: String, Hashable, Sendable, Codable {
    /// Phase A: ssl = on, the TLS floor, the certificate files.
    case sslSettings = "a"
    /// Phase B: the rewritten pg_hba.conf.
    case hostsslRules = "b"
}

/// Where a run is. Each stage waits for one kind of event; the effects that
/// start it are `RunState.entryEffects`, so a resumed run re-issues them.
public enum Stage: Hashable, Sendable, Codable {
    case awaitingConfirmation
    case checkingPreflight
    case fixingKeyPermissions
    case installingCertificates
    case checkingCertificates
    case settingSSL
    case checkingBeforeReload(Phase)
    case reloading(Phase)
    case restarting
    case provingTLS
    case movingToSSL
    case writingHBA(index: Int)
    case checkingCandidateHBA
    /// Before phase B's rules go live when someone is to answer "keep these
    /// changes?": the revert watchdog is started and holds the run.
    case armingWatchdog
    case deadManCheck
    /// "Keep these changes?" (the wizard's countdown, or `apply
    /// --confirm-within` waiting for `pg-ssl-wizard keep`).
    case awaitingKeep
    /// The answer is in: the watchdog is told to stand down first.
    case disarmingWatchdog
    case terminating
    /// Only in records saved by a version that looked at the sessions before
    /// ending them: such a run resumes by ending them (the statement re-reads
    /// which are still exposed), as `terminating` does.
    case refreshingSessions
    case awaitingStandbys
    case confirming
    /// Undo effects still to run, one at a time, and why.
    case rollingBack(remaining: [Effect], step: StepName, reason: String)
    case writingReport(RunOutcome)
    case finished(RunOutcome)
}

extension Stage {
    /// The terminate step's signals and waits (`refreshingSessions` only in older records, resumed as this).
    public var isTerminating: Bool { self == .terminating || self == .refreshingSessions }
}

/// How a run ended.
public enum RunOutcome: Hashable, Sendable, Codable {
    /// Every planned step verified.
    case enforced
    /// Stopped before `next` as asked (`--through`, or the operator quit between steps).
    case stoppedBefore(StepName)
    /// Nothing was changed: the preflight re-check or the first change failed cleanly.
    case failedBeforeChange(step: StepName, reason: String)
    /// A step failed and everything of its phase was put back.
    case rolledBack(step: StepName, reason: String)
    /// Putting back failed: the operator must run `pg-ssl-wizard rollback` or act by hand.
    case rollbackFailed(step: StepName, reason: String)
    /// A step failed after the rules were live (terminate, confirm): nothing to undo, the report says what is left.
    case incomplete(step: StepName, reason: String)
}

extension RunOutcome {
    /// The exit code of `apply`, `resume` and the wizard: 0 done as asked, 1
    /// failed and put back (nothing changed now), 2 incomplete (rules live,
    /// something left), 4 rollback failed.
    public var exitCode: Int32 {
        switch self {
        case .enforced, .stoppedBefore: return 0
        case .failedBeforeChange, .rolledBack: return 1
        case .incomplete: return 2
        case .rollbackFailed: return 4
        }
    }
}
