import Foundation
import ClusterFacts

/// The keep question, its countdown and the watchdog, in the one set of
/// words the wizard's screen, `apply --confirm-within`, `status` and the
/// README use.
public enum KeepWording {
    /// What the countdown means, under the question.
    public static func promise(seconds: Int) -> String {
        "The new pg_hba.conf is live. Unless the changes are kept within \(seconds) s, a watchdog process puts the old "
            + "pg_hba.conf back and reloads, even if this session is lost."
    }

    /// How to answer from another shell.
    public static let commands = "keep: pg-ssl-wizard keep [CONNINFO]; put back now: pg-ssl-wizard rollback [CONNINFO]"

    public static func armed(pid: Int32, revertAt: Date, now: Date = Date()) -> String {
        let left = max(0, Int(revertAt.timeIntervalSince(now).rounded(.up)))
        return "the changes wait to be kept: watchdog pid \(pid) puts the old pg_hba.conf back in \(left) s "
            + "(at \(UTCText.iso8601(revertAt))) unless they are kept; " + commands
    }

    public static func reverted(failure: String?) -> String {
        (failure.map { "its watchdog could not put the old pg_hba.conf back (\($0)): check pg_hba.conf, then " }
            ?? "its watchdog put the old pg_hba.conf back and reloaded; ")
            + "`pg-ssl-wizard resume [CONNINFO]` records it, `pg-ssl-wizard rollback [CONNINFO]` puts the rest back too"
    }

    public static func unconfirmed(pid: Int32) -> String {
        "the changes are live but unconfirmed and nothing will put them back: watchdog pid \(pid) is gone; " + commands
    }
}

extension RunEvent {
    var watchdogSummary: String? {
        switch self {
        case .watchdogArmed(let arm): return "watchdog armed (pid \(arm.pid)): it puts pg_hba.conf back unless the changes are kept"
        case .watchdogFailed(let why): return "the watchdog could not be started: \(why)"
        case .keepCountdownStarted(let revertAt): return "keep these changes? unanswered, they are put back at \(UTCText.iso8601(revertAt))"
        case .watchdogStoodDown: return "the watchdog stood down"
        case .watchdogReverted(let failure): return failure.map { "the watchdog could not put pg_hba.conf back: \($0)" } ?? "the watchdog put the old pg_hba.conf back and reloaded"
        default: return nil
        }
    }
}
