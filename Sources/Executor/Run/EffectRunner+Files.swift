import ClusterFacts
import Enforcement
import Foundation

/// pg_hba.conf on disk: the candidate written atomically with the run's
/// backup, and the backup put back.
extension EffectRunner {
    func writeFile(_ write: FileWrite) -> Performed {
        let backup = write.path + ".bak-" + context.stamp
        // A resumed run finds its own candidate in place: the backup of the original is already there.
        if let onDisk = FileManager.default.contents(atPath: write.path), [UInt8](onDisk) == write.contents, access(backup, F_OK) == 0 {
            return Performed(.fileWritten(path: write.path, backup: backup), after: Self.hashes([write.path]), backup: backup)
        }
        removeTornTemporaries(of: write.path)
        do {
            let outcome = try installer.install(write)
            return Performed(.fileWritten(path: write.path, backup: outcome.backupPath), after: Self.hashes([write.path]),
                             backup: outcome.backupPath)
        } catch {
            return Performed(.fileWriteFailed(path: write.path, reason: error.operatorMessage))
        }
    }

    /// A run killed mid-write leaves its `.<name>.tmp-<pid>-<n>` file (the
    /// target itself is untouched: the rename never happened); a later
    /// write of the same run removes it. Only one run holds the cluster's lock.
    func removeTornTemporaries(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = "." + (path as NSString).lastPathComponent + ".tmp-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(prefix) {
            unlink(directory + "/" + name)
        }
    }

    func restoreFile(_ path: String, backup: String?) -> Performed {
        let source = backup ?? path + ".bak-" + context.stamp
        do {
            let outcome = try installer.restore(path, from: source)
            return Performed(.restored(path: path), after: Self.hashes([path]), backup: outcome.backupPath)
        } catch {
            return Performed(.undoFailed("restoring \(path) from \(source): \(error.operatorMessage)"))
        }
    }
}
