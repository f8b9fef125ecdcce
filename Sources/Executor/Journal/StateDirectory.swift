import Foundation

/// Where a cluster's runs keep their journal and lock:
/// `$XDG_STATE_HOME/pg-ssl-wizard/<system_identifier>` (default
/// `~/.local/state`), mode 0700, named by `pg_control`'s system identifier
/// so it survives renames, ports and restarts.
public struct StateDirectory: Hashable, Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public static func forCluster(systemIdentifier: String,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws(JournalError) -> StateDirectory {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? OSUser.current.home + "/.local/state"
        let safe = systemIdentifier.filter(\.isNumber)
        guard !safe.isEmpty else { throw .stateDirectory(path: base, reason: "the cluster's system identifier is unknown") }
        let directory = StateDirectory(path: base + "/pg-ssl-wizard/" + safe)
        try directory.create()
        return directory
    }

    /// Creates every missing level; the last one 0700 (journals name backups of key files).
    func create() throws(JournalError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .stateDirectory(path: path, reason: error.localizedDescription)
        }
        guard chmod(path, 0o700) == 0 else { throw .stateDirectory(path: path, reason: String(cString: strerror(errno))) }
    }

    public var lockFile: String { path + "/run.lock" }
    public func journalFile(run: String) -> String { path + "/run-\(run).jsonl" }
}
