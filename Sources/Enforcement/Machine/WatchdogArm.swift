import Foundation

/// The revert watchdog guarding phase B's rules while nobody has said
/// "keep": a process of its own that puts pg_hba.conf back at `revertAt`
/// plus `grace` unless it is told to stand down (docs/DESIGN.md, "The keep
/// question and its watchdog").
public struct WatchdogArm: Hashable, Sendable, Codable {
    public var pid: Int32
    /// The deadline the operator is shown; the watchdog acts `grace` later,
    /// so a wizard that is still there always answers first.
    public var revertAt: Date
    /// The process that armed it (the wizard or `apply`): while it lives it
    /// owns the run, and the watchdog only puts the file back.
    public var armedBy: Int32
    /// Names this arming in every message to the watchdog: a stale or
    /// foreign message never matches.
    public var nonce: String
    /// When the watchdog and the process that armed it started (clock ticks
    /// since boot): with the pid, each names one process for good.
    public var startTicks: UInt64?
    public var armedByStartTicks: UInt64?

    public static let grace: TimeInterval = 2

    public init(pid: Int32, revertAt: Date, armedBy: Int32, nonce: String, startTicks: UInt64? = nil, armedByStartTicks: UInt64? = nil) {
        self.pid = pid
        self.revertAt = revertAt
        self.armedBy = armedBy
        self.nonce = nonce
        self.startTicks = startTicks
        self.armedByStartTicks = armedByStartTicks
    }
}
