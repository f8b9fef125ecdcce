import Foundation

/// What the operator's libpq read besides its keywords, for the revert
/// watchdog to connect the same way (docs/DESIGN.md, "The keep question and
/// its watchdog"): HOME, where libpq 15+ find `~/.postgresql` certificates
/// at the handshake (`resolvedKeywords` does not name them), and the
/// Kerberos ticket cache and realm configuration of a `gss` login. Nothing
/// else of the wizard's environment.
///
/// The watchdog reads them later, as root. A file another user could put in
/// the place of one (sshd deletes a delegated ticket cache at logout, in a
/// /tmp anyone can write) would log it in as someone else, or have Kerberos
/// load their plugins; so a cache or configuration file is passed only while
/// it is the effective user's, nobody else can write it, and nobody else can
/// replace it in any directory on its way from `/`. The watchdog checks again
/// before it uses them. A cache turned down is replaced by an empty one of the
/// process's own, not dropped: without KRB5CCNAME, Kerberos would read its
/// default cache, a file in /tmp another user may have made.
public enum WatchdogEnvironment {
    public static func connecting(_ current: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment: [String: String] = [:]
        if let home = current["HOME"] { environment["HOME"] = home }
        if let cache = current["KRB5CCNAME"] { environment["KRB5CCNAME"] = ticketCacheIsOwn(cache) ? cache : noTicketCache }
        if let configuration = current["KRB5_CONFIG"],
           configuration.split(separator: ":", omittingEmptySubsequences: false).allSatisfy({ isOwnAndGuarded(String($0)) }) {
            environment["KRB5_CONFIG"] = configuration
        }
        return environment
    }

    /// The Kerberos variables the checks turned down, each with what the
    /// watchdog puts in its place before it connects (nil: unset it; the
    /// configuration then is the system's, root's own).
    public static func refused(_ current: [String: String] = ProcessInfo.processInfo.environment) -> [(name: String, replacement: String?)] {
        let kept = connecting(current)
        return ["KRB5CCNAME", "KRB5_CONFIG"].compactMap { name in
            guard let value = current[name], kept[name] != value else { return nil }
            return (name, kept[name])
        }
    }

    /// What each Kerberos variable the wizard passed is set to for one
    /// attempt (nil: unset), judged afresh from the values passed, never from
    /// what an earlier attempt set: a cache briefly away is used again.
    public static func forAttempt(_ passed: [String: String]) -> [(name: String, value: String?, refused: Bool)] {
        let refusals = refused(passed)
        return passed.keys.sorted().map { name in
            if let refusal = refusals.first(where: { $0.name == name }) { return (name, refusal.replacement, true) }
            return (name, passed[name], false)
        }
    }

    /// KRB5CCNAME and KRB5_CONFIG as this process has them.
    public static func kerberosVariables(_ current: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        current.filter { ["KRB5CCNAME", "KRB5_CONFIG"].contains($0.key) }
    }

    /// A ticket cache in the process's memory, empty: no ticket, nobody else's.
    public static let noTicketCache = "MEMORY:pg-ssl-wizard-watchdog"

    /// `TYPE:residual` (no type: FILE). A file or directory cache must pass the
    /// file checks; a kernel keyring or KCM cache is kept per user by the
    /// kernel or a daemon; any other type (MEMORY: is this process's) is not passed.
    static func ticketCacheIsOwn(_ name: String) -> Bool {
        guard let colon = name.firstIndex(of: ":"), !name.hasPrefix("/") else { return isOwnAndGuarded(name) }
        let type = name[..<colon].uppercased()
        var residual = String(name[name.index(after: colon)...])
        switch type {
        case "FILE": return isOwnAndGuarded(residual)
        case "DIR":
            // DIR::/path/tkt names one cache file of the collection.
            if residual.hasPrefix(":") { residual.removeFirst() }
            return isOwnAndGuarded(residual)
        case "KEYRING": return keyringIsOwn(residual)
        case "KCM":
            // KCM: (the caller's own), or KCM:<uid>[:name] naming this user.
            return residual.isEmpty || residual.split(separator: ":", omittingEmptySubsequences: false).first == Substring(String(geteuid()))
        default: return false
        }
    }

    /// A kernel keyring the kernel keeps per user: `persistent` (this user's,
    /// or `persistent:<uid>` naming this user) or a process, thread, session
    /// or user keyring of this process (`process:`, `thread:`, `session:`,
    /// `user:`, or a legacy bare name, which lives in the session keyring).
    /// `persistent:<another uid>` is someone else's, which root could read.
    static func keyringIsOwn(_ residual: String) -> Bool {
        let parts = residual.split(separator: ":", omittingEmptySubsequences: false)
        guard let anchor = parts.first, parts.count > 1 || !anchor.isEmpty else { return false }
        switch anchor {
        case "persistent": return parts.count == 1 || parts[1].isEmpty || parts[1] == Substring(String(geteuid()))
        case "process", "thread", "session", "user": return true
        default: return parts.count == 1
        }
    }

    /// An absolute path written plainly (no `.`, `..`, empty component or
    /// trailing slash), not a link, owned by the effective user and writable by
    /// nobody else, in directories nobody else can replace anything in: from
    /// `/` down, each is a real directory (no link), owned by root or the
    /// effective user, and written only by its owner or sticky (a file there is
    /// renamed or removed only by its owner).
    static func isOwnAndGuarded(_ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        let components = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard let name = components.last, !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return false }
        func child(_ directory: String, _ component: Substring) -> String { (directory == "/" ? "" : directory) + "/" + component }
        var directory = "/"
        for component in components.dropLast() {
            guard directoryIsGuarded(directory) else { return false }
            directory = child(directory, component)
        }
        guard directoryIsGuarded(directory) else { return false }
        var file = stat()
        guard lstat(child(directory, name), &file) == 0, file.st_uid == geteuid(), file.st_mode & 0o022 == 0 else { return false }
        return (file.st_mode & S_IFMT) == S_IFREG || (file.st_mode & S_IFMT) == S_IFDIR
    }

    static func directoryIsGuarded(_ path: String) -> Bool {
        var directory = stat()
        guard lstat(path, &directory) == 0, (directory.st_mode & S_IFMT) == S_IFDIR else { return false }
        let ownedSafely = directory.st_uid == 0 || directory.st_uid == geteuid()
        return ownedSafely && (directory.st_mode & 0o022 == 0 || directory.st_mode & S_ISVTX != 0)
    }
}
