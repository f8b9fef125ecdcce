import ClusterFacts

/// Why `apply`, `resume` or `rollback` could not start or finish.
public enum RunError: Error, Hashable, Sendable {
    case planBlocked([String])
    case nothingToDo
    case noRun(stateDirectory: String)
    case runAlreadyFinished(run: String, outcome: String)
    case runNotFinished(run: String)
    case runRolledBack(run: String)
    /// `rollback` of this run began and did not finish (a kill): only `rollback` takes it up again.
    case rollbackUnfinished(run: String)
    case filesNotReachable(String)
    case stagedCandidateMissing(path: String, staged: String)
    case stagedCandidateChanged(path: String, staged: String)
    case rollbackIncomplete(run: String, problems: [String])
    /// A connection reached another cluster than the run's.
    case otherCluster(found: String, expected: String)
    /// `keep` with no run waiting for it.
    case nothingToKeep
    /// The wizard that asked "keep these changes?" still runs: it owns the answer.
    case keepBelongsToTheWizard(pid: Int32)
    /// The watchdog had put pg_hba.conf back before `keep` came.
    case keptTooLate(run: String)
    /// `keep` for a run that is not at the question (killed before it, say).
    case notAtKeepQuestion(run: String, stage: String)
    /// pg_hba.conf is no longer the run's rewritten file.
    case candidateNotLive(path: String)
    /// A run waits for "keep": only `keep` or `rollback` moves it.
    case awaitingKeep(String)
    /// `rollback --run NAME` for a run that is not the cluster's latest.
    case notTheLatestRun(asked: String, latest: String)
    /// `plan --after-ssl` on a server that does not offer SSL yet.
    case sslNotOfferedForObservation
    /// `apply --observe`: clients connected in plain text although SSL was offered (each described).
    case pinnedClients(run: String, clients: [String])
}

extension RunError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .planBlocked(let reasons):
            return "the plan is blocked, nothing was changed: " + reasons.joined(separator: "; ") + " (see `pg-ssl-wizard plan` for the ways out)"
        case .nothingToDo:
            return "SSL is already enforced on this server: nothing to do (`pg-ssl-wizard status` shows the evidence)"
        case .sslNotOfferedForObservation:
            return "--after-ssl watches for clients that stay in plain text once SSL is offered, but this server does not offer SSL yet: "
                + "use `pg-ssl-wizard apply --yes --observe S`, which turns SSL on first and watches before the rewrite"
        case .pinnedClients(let run, let clients):
            return "\(clients.count) client(s) connected in plain text while SSL was offered: their sslmode is disable or allow, and the "
                + "rewrite would refuse them: " + clients.joined(separator: "; ")
                + ". SSL stays on (phase A refuses nobody); pg_hba.conf is unchanged. Fix those clients, then `pg-ssl-wizard resume --yes` "
                + "goes on with run \(run) (or add --refuse-pinned-clients to go on regardless; `pg-ssl-wizard rollback` undoes phase A)"
        case .notTheLatestRun(let asked, let latest):
            return "run \(asked) is not this cluster's latest run (\(latest) is): rollback undoes only the latest run; nothing was changed"
        case .noRun(let directory):
            return "no run of this cluster is recorded in \(directory); start one with `pg-ssl-wizard apply`"
        case .runAlreadyFinished(let run, let outcome):
            return "run \(run) already ended (\(outcome)); nothing to resume. Use `pg-ssl-wizard rollback` to undo it, or `apply` for a new run"
        case .runNotFinished(let run):
            return "run \(run) was interrupted; `pg-ssl-wizard resume` finishes it (its own failure handling undoes a failed phase), then `rollback` can undo it"
        case .runRolledBack(let run):
            return "run \(run) was rolled back; nothing to resume. Start a new run with `pg-ssl-wizard apply`"
        case .rollbackUnfinished(let run):
            return "the rollback of run \(run) was interrupted; run `pg-ssl-wizard rollback` again to finish it (every undo is safe to repeat)"
        case .filesNotReachable(let reason):
            return "the server's files are not reachable from here (\(reason)); run the wizard on the database host as root or the server's OS user"
        case .stagedCandidateMissing(let path, let staged):
            return "the staged new version of \(path) (\(staged)) is missing; run `pg-ssl-wizard rollback` to restore the backups"
        case .stagedCandidateChanged(let path, let staged):
            return "the staged new version of \(path) (\(staged)) was changed since the run planned it; run `pg-ssl-wizard rollback` to restore the backups"
        case .otherCluster(let found, let expected):
            return "the connection reached cluster \(found), not \(expected), the run's: nothing was done there"
        case .nothingToKeep:
            return "no run of this cluster is waiting for its changes to be kept; `pg-ssl-wizard status` shows where things stand"
        case .keepBelongsToTheWizard(let pid):
            return "the wizard that asked \"keep these changes?\" still runs (pid \(pid)): answer it there"
        case .keptTooLate(let run):
            return "too late: the watchdog of run \(run) had already put the old pg_hba.conf back and reloaded; SSL stays on; run `pg-ssl-wizard apply` again when ready, or `pg-ssl-wizard rollback` to undo the rest"
        case .notAtKeepQuestion(let run, let stage):
            return "run \(run) is not at \"keep these changes?\" (it stopped at \(stage)): nothing to keep yet; `pg-ssl-wizard rollback` puts it back"
        case .candidateNotLive(let path):
            return "\(path) is no longer the run's rewritten file (put back, or changed since): nothing is kept; `pg-ssl-wizard rollback` settles the run"
        case .awaitingKeep(let description):
            return description
        case .rollbackIncomplete(let run, let problems):
            return "rollback of run \(run) is incomplete: " + problems.joined(separator: "; ") + "; the backups named in the journal are untouched, restore them by hand"
        }
    }
}
