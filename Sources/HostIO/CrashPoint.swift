import Foundation

/// Test-only switches for crash and fault tests, read from the environment:
/// `PG_SSL_WIZARD_CRASH_AT=<point>` kills the process with SIGKILL on
/// reaching that point, exactly as `kill -9` would, with no cleanup;
/// `PG_SSL_WIZARD_PAUSE_AT=<point>` stops it with SIGSTOP there, so a test
/// can change the server for real before sending SIGCONT. Points:
/// `after:<step>`, `before:<effect>`, `mid-write:<file name>`. Unset, they do nothing.
public enum CrashPoint {
    static let crashAt = ProcessInfo.processInfo.environment["PG_SSL_WIZARD_CRASH_AT"]
    static let pauseAt = ProcessInfo.processInfo.environment["PG_SSL_WIZARD_PAUSE_AT"]

    public static var armed: Bool { crashAt != nil }

    public static func reach(_ point: String) {
        if let crashAt, crashAt == point { kill(getpid(), SIGKILL) }
        if let pauseAt, pauseAt == point { kill(getpid(), SIGSTOP) }
    }
}
