import Enforcement
import Foundation

/// Puts the run's files in place on the database host and takes them back:
/// a replaced file keeps its owner and mode (pg_hba.conf is the server
/// user's), the previous bytes stay in a 0600 backup, and a restore is an
/// atomic write of the backup's bytes (which itself keeps the rejected
/// candidate as a backup, as evidence).
public struct ServerFileInstaller: Sendable {
    public let writer: AtomicFileWriter

    public init(writer: AtomicFileWriter = AtomicFileWriter()) { self.writer = writer }

    public func install(_ write: FileWrite) throws(FileWriteError) -> AtomicFileWriter.Outcome {
        let existing = Self.ownerAndMode(write.path)
        return try writer.write(write.contents, to: write.path, mode: mode_t(write.mode ?? existing?.mode ?? 0o600),
                                owner: existing?.owner)
    }

    public func restore(_ path: String, from backup: String) throws(FileWriteError) -> AtomicFileWriter.Outcome {
        guard let bytes = FileManager.default.contents(atPath: backup) else {
            throw .system(path: backup, operation: "read the backup", errno: FileManager.default.fileExists(atPath: backup) ? EACCES : ENOENT)
        }
        let existing = Self.ownerAndMode(path) ?? Self.ownerAndMode(backup)
        // The rejected candidate is kept under its own name: the run's backup is the original.
        return try AtomicFileWriter(stamp: writer.stamp + "-rejected").write(Array(bytes), to: path, mode: existing?.mode ?? 0o600, owner: existing?.owner)
    }

    static func ownerAndMode(_ path: String) -> (owner: AtomicFileWriter.Owner, mode: mode_t)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (AtomicFileWriter.Owner(uid: info.st_uid, gid: info.st_gid), info.st_mode & 0o7777)
    }
}
