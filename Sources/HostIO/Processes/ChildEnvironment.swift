import Foundation

/// The environment a child process starts with. Built, not inherited: the
/// wizard's own environment may hold PGPASSWORD, PGPASSFILE or
/// PGSERVICEFILE (which must never reach a process running as another
/// user), and LD_PRELOAD or LD_LIBRARY_PATH (which must never reach
/// anything root starts). docs/SECURITY.md, "Children".
public enum ChildEnvironment {
    /// Fixed system directories, root-owned on any sane host.
    public static let systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Passed on because they only choose a language and a clock.
    static let kept = ["LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ"]

    /// PATH and the locale, then `extra`. `inheriting` starts from the whole
    /// current environment instead: only for test harnesses that drive the
    /// wizard itself as an operator would.
    public static func make(_ extra: [String: String], inheriting: Bool = false,
                            current: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment: [String: String]
        if inheriting {
            environment = current
        } else {
            environment = ["PATH": systemPath]
            for name in kept { if let value = current[name] { environment[name] = value } }
        }
        for (key, value) in extra { environment[key] = value }
        return environment
    }
}
