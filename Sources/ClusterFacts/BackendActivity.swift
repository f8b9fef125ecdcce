import Foundation

/// What a backend was doing, as `pg_stat_activity.state` says it: whether
/// ending it now cuts a transaction in half (docs/POSTGRES.md, "Ending a
/// session between transactions").
public enum BackendActivity: String, Codable, Hashable, Sendable {
    /// Waiting for the client's next command outside any transaction: the one safe moment.
    case idle
    case active
    case idleInTransaction = "idle in transaction"
    case idleInTransactionAborted = "idle in transaction (aborted)"
    case fastpathFunctionCall = "fastpath function call"
    /// `track_activities` is off for that session: its state is not known.
    case disabled
    /// 18 and later: the connection is still starting up or authenticating,
    /// an attempt and not a session (`Session.isClient`). It meets the rules
    /// the postmaster had when it forked the backend, so the run ends those
    /// begun before its hostssl rules were loaded, and the confirmation
    /// counts any left (docs/POSTGRES.md, "18 lists connections still
    /// authenticating").
    case starting
    case unknown

    public init(pgStatActivity text: String?) {
        self = text.flatMap(BackendActivity.init(rawValue:)) ?? .unknown
    }

    /// Whether ending the session now cuts a transaction (or a statement's
    /// implicit one) in half; nil when the server does not say.
    public var insideTransaction: Bool? {
        switch self {
        case .idle, .starting: return false
        case .active, .idleInTransaction, .idleInTransactionAborted, .fastpathFunctionCall: return true
        case .disabled, .unknown: return nil
        }
    }
}

/// The terminate step while it waits for transaction boundaries: what the
/// wizard's screen shows live.
public struct TerminationProgress: Hashable, Sendable {
    /// Ended while idle between transactions.
    public var endedIdle: Int
    /// Still inside a transaction, waited for.
    public var stillBusy: Int
    /// Ended at the deadline inside a transaction.
    public var cut: Int
    /// Walsenders ended (they are never between transactions; standbys reconnect).
    public var walsenders: Int
    public var deadline: Date

    public init(endedIdle: Int, stillBusy: Int, cut: Int, walsenders: Int, deadline: Date) {
        self.endedIdle = endedIdle
        self.stillBusy = stillBusy
        self.cut = cut
        self.walsenders = walsenders
        self.deadline = deadline
    }
}
