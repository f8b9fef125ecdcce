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
        do {
            let outcome = try installer.install(write)
            return Performed(.fileWritten(path: write.path, backup: outcome.backupPath), after: Self.hashes([write.path]),
                             backup: outcome.backupPath)
        } catch {
            return Performed(.fileWriteFailed(path: write.path, reason: error.operatorMessage))
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
