import ClusterFacts

/// Why a restart (or finding the postmaster to signal) did not happen.
/// Here rather than with `ServerRestart` because verifying the postmaster
/// (`Postmaster.verified`) is host I/O and fails the same ways.
public enum ServerRestartFailure: Error, Hashable, Sendable {
    case noPostmaster(String)
    case notThisServer(String)
    case command(String)
    case notBack(String)
}

extension ServerRestartFailure: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .noPostmaster(let why): return "cannot restart the server: \(why); restart it yourself, then run `pg-ssl-wizard resume`"
        case .notThisServer(let why): return "refusing to restart: \(why); restart the server yourself, then run `pg-ssl-wizard resume`"
        case .command(let detail): return "the restart failed: \(detail); check the server log"
        case .notBack(let last): return "the server did not accept connections within 60 s after the restart (\(last)); check the server log"
        }
    }
}
