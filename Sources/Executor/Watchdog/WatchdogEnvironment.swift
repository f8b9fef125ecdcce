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
/// replace it in its directory. The watchdog checks again before it uses them.
public enum WatchdogEnvironment {
    public static func connecting(_ current: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment: [String: String] = [:]
        if let home = current["HOME"] { environment["HOME"] = home }
        if let cache = current["KRB5CCNAME"], ticketCacheIsOwn(cache) { environment["KRB5CCNAME"] = cache }
        if let configuration = current["KRB5_CONFIG"],
           configuration.split(separator: ":").allSatisfy({ isOwnAndGuarded(String($0)) }) {
            environment["KRB5_CONFIG"] = configuration
        }
        return environment
    }

    /// The Kerberos variables the checks turned down, for the watchdog to drop
    /// from its own environment before it connects.
    public static func refused(_ current: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let kept = connecting(current)
        return ["KRB5CCNAME", "KRB5_CONFIG"].filter { current[$0] != nil && kept[$0] == nil }
    }

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
        case "KEYRING", "KCM": return true
        default: return false
        }
    }

    /// An absolute path, not a link, owned by the effective user and writable
    /// by nobody else, in a directory nobody else can replace it in: one only
    /// its owner (or root) writes, or a sticky one (a file there is renamed or
    /// removed only by its owner).
    static func isOwnAndGuarded(_ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        var file = stat()
        guard lstat(path, &file) == 0, file.st_uid == geteuid(), file.st_mode & 0o022 == 0,
              (file.st_mode & S_IFMT) == S_IFREG || (file.st_mode & S_IFMT) == S_IFDIR else { return false }
        let parent = (path as NSString).deletingLastPathComponent
        var directory = stat()
        guard stat(parent.isEmpty ? "/" : parent, &directory) == 0 else { return false }
        let ownedSafely = directory.st_uid == 0 || directory.st_uid == geteuid()
        return ownedSafely && (directory.st_mode & 0o022 == 0 || directory.st_mode & S_ISVTX != 0)
    }
}
