import ClusterFacts
import Enforcement
import Foundation
import HostIO

/// pg_hba.conf on disk: the candidate written atomically with the run's
/// backup, and the backup put back.
extension EffectRunner {
    func writeFile(_ write: FileWrite) -> Performed {
        let recorded = journal?.backups()[write.path]
        // A resumed run finds its own candidate in place: the backup of the original is already made and recorded.
        if let recorded, (try? HostFile.read(write.path)) == write.contents {
            return Performed(.fileWritten(path: write.path, backup: recorded.path), after: Self.hashes([write.path]), backup: recorded.path)
        }
        removeTornTemporaries(of: write.path)
        do {
            // Killed after the backup was made but before the rename: the file is still the original and its backup is recorded.
            let outcome = try installer.install(write, backup: recorded == nil ? backupRequest() : nil)
            let backup = outcome.backupPath ?? recorded?.path
            return Performed(.fileWritten(path: write.path, backup: backup), after: Self.hashes([write.path]), backup: backup)
        } catch {
            return Performed(.fileWriteFailed(path: write.path, reason: error.operatorMessage))
        }
    }

    /// Backups are journalled (path and hash) as soon as they are durable;
    /// `directory` nil keeps them next to the file.
    func backupRequest(directory: String? = nil) -> AtomicFileWriter.BackupRequest? {
        let journal = journal
        return AtomicFileWriter.BackupRequest(directory: directory) { [journal] target, backup in
            try journal?.noteBackup(of: target, backup)
        }
    }

    /// A run killed mid-write leaves its `.<name>.tmp-<pid>-<n>` file (the
    /// target itself is untouched: the rename never happened); a later
    /// write of the same run removes it. Only one run holds the cluster's lock.
    func removeTornTemporaries(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let file = (path as NSString).lastPathComponent
        for name in HostFile.names(in: directory) where FileNames.isTemporary(name, of: file) { HostFile.remove(directory + "/" + name) }
    }

    /// Puts back the backup the journal recorded (with its hash) for `path`.
    func restoreFile(_ path: String) -> Performed {
        guard let backup = journal?.backups()[path] else {
            return Performed(.undoFailed("no backup of \(path) is recorded in this run's journal: restore it by hand"))
        }
        do {
            let outcome = try installer.restore(path, from: backup)
            return Performed(.restored(path: path), after: Self.hashes([path]), backup: outcome.backupPath)
        } catch {
            return Performed(.undoFailed("restoring \(path) from \(backup.path): \(error.operatorMessage)"))
        }
    }
}
