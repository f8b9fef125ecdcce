import ClusterFacts

/// Failures of the run's bookkeeping: the state directory, the lock, the journal.
public enum JournalError: Error, Hashable, Sendable {
    case stateDirectory(path: String, reason: String)
    case busy(lockFile: String, holder: String)
    case write(path: String, reason: String)
    case unreadable(path: String, line: Int, reason: String)
}

extension JournalError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .stateDirectory(let path, let reason):
            return "cannot use the state directory \(path): \(reason); set XDG_STATE_HOME to a directory you own, under directories only you or root can change"
        case .busy(let lockFile, let holder):
            return "another pg-ssl-wizard run holds this cluster (\(holder), lock \(lockFile)); wait for it, or use `resume` if it was interrupted"
        case .write(let path, let reason):
            return "cannot write the journal \(path): \(reason); nothing further was changed"
        case .unreadable(let path, let line, let reason):
            return "the journal \(path) is damaged at line \(line) (\(reason)); `rollback` restores from the backups it names"
        }
    }
}
