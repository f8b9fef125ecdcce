import ClusterFacts
import Enforcement
import Foundation
import HostIO

/// Puts the run's files in place on the database host and takes them back:
/// a replaced file keeps its owner and mode (pg_hba.conf is the server
/// user's), the previous bytes stay in a 0600 backup, and a restore is an
/// atomic write of the backup's bytes (which itself keeps the rejected
/// candidate as a backup, as evidence).
///
/// A backup is only put back when it is a regular file (no link followed)
/// whose SHA-256 is the one recorded when it was made: the directory it
/// lies in may belong to the server's OS user, who could have swapped it
/// (docs/SECURITY.md, "Files").
public struct ServerFileInstaller: Sendable {
    public let writer: AtomicFileWriter

    public init(writer: AtomicFileWriter = AtomicFileWriter()) { self.writer = writer }

    public func install(_ write: FileWrite, backup: AtomicFileWriter.BackupRequest? = .nextToFile) throws(FileWriteError) -> AtomicFileWriter.Outcome {
        let existing = try Self.ownerAndMode(write.path)
        // The file whose owner and mode are kept must be the one replaced.
        return try writer.write(write.contents, to: write.path, mode: mode_t(write.mode ?? existing?.mode ?? 0o600),
                                owner: existing?.owner, backup: backup, expected: existing?.identity)
    }

    public func restore(_ path: String, from backup: AtomicFileWriter.Backup) throws(FileWriteError) -> AtomicFileWriter.Outcome {
        let bytes = try Self.verifiedBytes(of: backup)
        // The owner and mode the file had when it was backed up, not whatever stands at the path now.
        let existing = try Self.ownerAndMode(path)
        let owner = backup.uid.flatMap { uid in backup.gid.map { OSUser.fileOwner(uid: uid, gid: $0) } } ?? existing?.owner
        let mode = backup.mode.map { mode_t($0) } ?? existing?.mode ?? 0o644
        // The rejected candidate is kept under its own name: the run's backup is the original.
        return try AtomicFileWriter(stamp: writer.stamp + "-rejected").write(bytes, to: path, mode: mode, owner: owner)
    }

    /// The backup's bytes, read through a descriptor that follows no link,
    /// and only when they hash to what was recorded.
    public static func verifiedBytes(of backup: AtomicFileWriter.Backup) throws(FileWriteError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try HostFile.read(backup.path)
        } catch .notRegular {
            throw .backupNotAsRecorded(path: backup.path)
        }
        guard FileDigest.sha256(bytes) == backup.sha256 else { throw .backupNotAsRecorded(path: backup.path) }
        return bytes
    }

    /// Owner and mode of the regular file at `path` (nil when there is none); a link is refused.
    static func ownerAndMode(_ path: String) throws(FileWriteError) -> (owner: FileOwner, mode: mode_t, identity: FileIdentity)? {
        do {
            let identity = try HostFile.open(path).identity
            return (OSUser.fileOwner(uid: identity.uid, gid: identity.gid), mode_t(identity.mode), identity)
        } catch .system(_, _, let code) where code == ENOENT {
            return nil
        }
    }
}
