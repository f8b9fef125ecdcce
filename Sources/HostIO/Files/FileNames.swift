import Foundation

/// Every name the wizard gives a file it makes, in one place. Next to a file
/// it replaces: the backup, the temporary a write goes through, the staged
/// candidate of a run. In a cluster's state directory: the run's journal,
/// its record, its audit report and the directory of previous key files.
/// The random part keeps anyone who can write the directory from planting a
/// file or a link under a name the wizard is about to use.
public enum FileNames {
    /// `<name>.bak-<stamp>-<random>`.
    public static func backup(of name: String, stamp: String) -> String {
        name + ".bak-" + stamp + "-" + HostFile.unpredictableSuffix()
    }

    /// `.<name>.tmp-<pid>-<random>`: named after the file being written, so a
    /// later write of the same file finds one a kill left torn.
    public static func temporary(of name: String) -> String {
        temporaryPrefix(of: name) + "\(getpid())-" + HostFile.unpredictableSuffix()
    }

    /// Whether `entry` is a temporary of a write of `name`.
    public static func isTemporary(_ entry: String, of name: String) -> Bool { entry.hasPrefix(temporaryPrefix(of: name)) }

    private static func temporaryPrefix(of name: String) -> String { "." + name + ".tmp-" }

    /// `<path>.candidate-<run>-<random>`: the planned pg_hba.conf staged next to the live one.
    public static func stagedCandidate(of path: String, run: String) -> String {
        path + ".candidate-" + run + "-" + HostFile.unpredictableSuffix()
    }
}

extension StateDirectory {
    public var lockFile: String { path + "/run.lock" }
    public func journalFile(run: String) -> String { path + "/run-\(run).jsonl" }
    public func recordFile(run: String) -> String { path + "/run-\(run).json" }

    /// The run a file of this directory is the record of, if it is one.
    public static func run(ofRecordFile name: String) -> String? {
        guard name.hasPrefix("run-") && name.hasSuffix(".json") else { return nil }
        return String(name.dropFirst(4).dropLast(5))
    }

    /// The audit report without its extension (`.json` and `.md` follow).
    public func reportBase(run: String) -> String { path + "/report-\(run)" }

    /// Where previous certificate and key files go (never left in the data directory).
    public var backupsDirectory: String { path + "/backups" }

    /// The revert watchdog of a run: its orders in, its state out, its log.
    public func watchdogControlFile(run: String) -> String { path + "/watchdog-\(run).control" }
    public func watchdogStateFile(run: String) -> String { path + "/watchdog-\(run).state" }
    public func watchdogLogFile(run: String) -> String { path + "/watchdog-\(run).log" }
}
