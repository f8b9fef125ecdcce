/// `pg-ssl-wizard rollback` of a run, as part of the run's state: what is
/// left to put back, what was put back, and every problem met. Unlike a
/// failed step's undo, it goes on past a problem (each undo effect is
/// independent, and the operator needs the whole list), then verifies.
public struct OperatorRollback: Hashable, Sendable, Codable {
    /// Undo effects still to run, in `UndoOrder`, one at a time.
    public internal(set) var remaining: [Effect]
    /// Files that are their backups again.
    public internal(set) var restoredFiles: [String] = []
    public internal(set) var problems: [String] = []
    /// The verification ran: the rollback is over.
    public internal(set) var verified = false

    init(remaining: [Effect]) { self.remaining = remaining }

    /// The effect the rollback waits on.
    var next: Effect? {
        if verified { return nil }
        return remaining.first ?? .verifyRollback(restoredFiles: restoredFiles)
    }
}

extension RunState {
    /// The operator asked to undo the whole run (any stage: an interrupted
    /// run too; asking again starts the list again, every undo is safe to repeat).
    mutating func requestRollback(backedUp: [String]) -> [Effect] {
        operatorRollback = OperatorRollback(remaining: UndoOrder.wholeRun(plan, backedUp: Set(backedUp)))
        return operatorRollback?.next.map { [$0] } ?? []
    }

    /// While the operator's rollback runs, every event answers its current effect.
    mutating func rollbackTransition(_ event: RunEvent) -> [Effect]? {
        guard var rollback = operatorRollback, let effect = rollback.next else { return nil }
        if case .verifyRollback = effect {
            guard case .rollbackVerified(let problems) = event else { return nil }
            rollback.problems += problems
            rollback.verified = true
            operatorRollback = rollback
            return []
        }
        if Self.completes(effect, event) {
            if case .restoreFile(let path) = effect { rollback.restoredFiles.append(path) }
        } else {
            // Only the current undo effect's own failure counts as its answer;
            // anything else (a "keep", a stop) is rejected and the effect stays due.
            switch event {
            case .undoFailed(let why), .reloadNotTaken(let why), .sqlFailed(let why), .restartFailed(let why), .watchdogFailed(let why),
                 .watchdogReverted(let why?):
                rollback.problems.append("\(UndoOrder.label(effect)): \(why)")
            default:
                return nil
            }
        }
        rollback.remaining.removeFirst()
        // Nothing was put back: there is no restored pg_hba.conf to reload.
        if rollback.remaining.first == .reload(.hostsslRules) && rollback.restoredFiles.isEmpty { rollback.remaining.removeFirst() }
        operatorRollback = rollback
        return rollback.next.map { [$0] } ?? []
    }

    /// The operator's rollback is under way (asked for, not yet verified).
    public var isBeingRolledBack: Bool { operatorRollback.map { !$0.verified } ?? false }

    /// Nothing more runs: the run finished, or the operator's rollback of it is over.
    public var isClosed: Bool { operatorRollback.map(\.verified) ?? isFinished }
}
