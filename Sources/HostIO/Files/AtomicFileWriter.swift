import ClusterFacts
import Foundation

/// Writes files the way a tool touching a production server must: the new
/// bytes go to a temporary file in the same directory, created with the final
/// mode (0600 for keys, before any byte exists) and owner, fsynced, then
/// renamed over the target; the directory is fsynced too. An existing target
/// is read through a descriptor that follows no link (a link or anything but
/// a regular file is never replaced) and first copied to a 0600 backup
/// named `<name>.bak-<stamp>-<random>`: nobody can plant a file or a link
/// under that name in advance (docs/SECURITY.md, "Files").
public struct AtomicFileWriter: Sendable {
    /// A backup as made: where, the SHA-256 a restore must find again, and
    /// the owner and mode the file had (a restore gives them back, whatever
    /// stands at the path by then).
    public struct Backup: Hashable, Sendable, Codable {
        public var path: String
        public var sha256: String
        public var uid: uid_t?
        public var gid: gid_t?
        public var mode: UInt32?
        public init(path: String, sha256: String, uid: uid_t? = nil, gid: gid_t? = nil, mode: UInt32? = nil) {
            self.path = path
            self.sha256 = sha256
            self.uid = uid
            self.gid = gid
            self.mode = mode
        }
    }

    /// Whether and where the previous bytes are kept.
    public struct BackupRequest: Sendable {
        /// nil: next to the file.
        public var directory: String?
        /// Called once the backup is durable and before the target is
        /// replaced (the run journals it here, so a crash in between still
        /// leaves the backup findable and its hash recorded).
        public var made: @Sendable (_ target: String, Backup) throws -> Void

        public init(directory: String? = nil, made: @escaping @Sendable (_ target: String, Backup) throws -> Void = { _, _ in }) {
            self.directory = directory
            self.made = made
        }

        public static let nextToFile = BackupRequest()
    }

    public struct Outcome: Hashable, Sendable, Codable {
        public var path: String
        public var backupPath: String?
        public var sha256Before: String?
        public var sha256After: String
    }

    public var stamp: String

    /// `stamp` names this run's backups; one per run keeps them together.
    public init(stamp: String = AtomicFileWriter.timestamp()) {
        self.stamp = stamp
    }

    /// `yyyyMMddTHHmmssZ` in UTC, whole seconds: names this run's backups.
    public static func timestamp(_ date: Date = Date()) -> String { UTCText.compact(date) }

    /// `expected`: the file checked earlier must still be the one at `path`.
    /// The directory is reached through `SafePath` and every step after that
    /// goes through its descriptor (`openat`, `renameat`, `fsync`): nothing
    /// is looked up by path twice.
    @discardableResult
    public func write(_ bytes: [UInt8], to path: String, mode: mode_t, owner: FileOwner? = nil,
                      backup: BackupRequest? = .nextToFile, expected: FileIdentity? = nil) throws(FileWriteError) -> Outcome {
        let (directory, name) = try SafePath.parent(of: path)
        defer { close(directory) }
        let directoryPath = (SafePath.absolute(path) as NSString).deletingLastPathComponent
        // Only a regular file is replaced (a link is refused, reading a FIFO would block, a directory has no bytes);
        // one that exists but cannot be read cannot be backed up, so it is never replaced either.
        var existing: (bytes: [UInt8], identity: FileIdentity)?
        if let file = try HostFile.openRegular(name, in: directory, path: path) {
            if let expected, !file.identity.isSameFile(as: expected) { throw .replacedSinceCheck(path: path) }
            existing = (try file.bytes(), file.identity)
        }
        var backupPath: String?
        if let existing, let backup {
            let backupDirectoryPath = backup.directory ?? directoryPath
            let backupDirectory = backup.directory == nil ? dup(directory) : try SafePath.directory(backupDirectoryPath)
            defer { close(backupDirectory) }
            let made = Backup(path: backupDirectoryPath + "/" + FileNames.backup(of: name, stamp: stamp),
                              sha256: FileDigest.sha256(existing.bytes), uid: existing.identity.uid, gid: existing.identity.gid,
                              mode: existing.identity.mode)
            // Written whole or not at all (temporary + rename): a torn backup would be trusted by a later rollback.
            try install(existing.bytes, in: backupDirectory, as: (made.path as NSString).lastPathComponent, temporaryBase: name,
                        displayPath: made.path, mode: 0o600, owner: owner, crashPoint: "mid-write:" + name + ".bak")
            do { try backup.made(path, made) } catch { throw FileWriteError.system(path: made.path, operation: "record the backup of", errno: EIO) }
            backupPath = made.path
        }
        try install(bytes, in: directory, as: name, temporaryBase: name, displayPath: path, mode: mode, owner: owner, crashPoint: "mid-write:" + name)
        return Outcome(path: path, backupPath: backupPath, sha256Before: existing.map { FileDigest.sha256($0.bytes) },
                       sha256After: FileDigest.sha256(bytes))
    }

    /// A temporary in `directory` with its final mode and owner, filled,
    /// fsynced, renamed over `name`; then the directory fsynced. The
    /// temporary is named after the file the run writes (`.<file>.tmp-...`),
    /// backups included, so a later run of the same file finds a torn one.
    private func install(_ bytes: [UInt8], in directory: Int32, as name: String, temporaryBase: String, displayPath: String, mode: mode_t,
                         owner: FileOwner?, crashPoint: String) throws(FileWriteError) {
        let temporary = FileNames.temporary(of: temporaryBase)
        do throws(FileWriteError) {
            try createAndFill(directory, temporary, displayPath: displayPath, bytes, mode: mode, owner: owner, crashPoint: crashPoint)
            guard renameat(directory, temporary, directory, name) == 0 else {
                throw FileWriteError.system(path: displayPath, operation: "rename", errno: errno)
            }
        } catch {
            unlinkat(directory, temporary, 0)
            throw error
        }
        // In place; only its durability across a crash is at stake now.
        guard fsync(directory) == 0 else { throw .notDurable(path: displayPath, errno: errno) }
    }

    /// Creates a new file (never follows or reuses an existing one) with its
    /// final mode and owner before writing, then fsyncs it.
    private func createAndFill(_ directory: Int32, _ name: String, displayPath: String, _ bytes: [UInt8], mode: mode_t, owner: FileOwner?,
                               crashPoint: String? = nil) throws(FileWriteError) {
        let descriptor = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw .system(path: displayPath, operation: "create", errno: errno) }
        defer { close(descriptor) }
        func fail(_ operation: String, _ code: Int32) -> FileWriteError {
            unlinkat(directory, name, 0)
            return .system(path: displayPath, operation: operation, errno: code)
        }
        // umask may have removed bits; set exactly the mode asked for.
        guard fchmod(descriptor, mode) == 0 else { throw fail("chmod", errno) }
        if let owner, fchown(descriptor, owner.uid, owner.gid) != 0 { throw fail("chown", errno) }
        var offset = 0
        while offset < bytes.count {
            // Half at a time under a crash test, so "killed mid-write" leaves a torn temporary file.
            let chunk = crashPoint != nil && CrashPoint.armed ? max(1, (bytes.count - offset + 1) / 2) : bytes.count - offset
            let written = bytes[offset..<(offset + chunk)].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw fail("write", errno) }
            offset += written
            if let crashPoint, offset < bytes.count { CrashPoint.reach(crashPoint) }
        }
        guard fsync(descriptor) == 0 else { throw fail("fsync", errno) }
    }

}

public enum FileWriteError: Error, Hashable, Sendable {
    case system(path: String, operation: String, errno: Int32)
    /// Written and renamed into place, but the directory could not be synced.
    case notDurable(path: String, errno: Int32)
    /// A symbolic link on the way that someone other than root could change.
    case untrustedLink(path: String, component: String)
    /// A symbolic link, a directory, a FIFO...: never read through or replaced.
    case notRegular(path: String, found: String)
    /// Another file stands at the path than the one checked before.
    case replacedSinceCheck(path: String)
    /// A backup whose bytes are not the ones recorded when it was made.
    case backupNotAsRecorded(path: String)
}

extension FileWriteError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .system(let path, let operation, let code):
            let reason = String(cString: strerror(code))
            let advice = code == EACCES || code == EPERM ? ": run as root or as the file's owner" :
                code == EEXIST ? ": a leftover temporary file is in the way; remove it" : ""
            return "could not \(operation) \(path): \(reason)\(advice); nothing was replaced"
        case .notRegular(let path, let found):
            return "\(path) is \(found), not a regular file: the wizard neither reads through nor replaces it; look at who put it there, fix it, and run again; nothing was changed"
        case .untrustedLink(let path, let component):
            return "\(path) goes through \(component), a symbolic link someone other than root could change: the wizard does not follow it; name the real path instead; nothing was changed"
        case .replacedSinceCheck(let path):
            return "\(path) was replaced by another file after it was checked: the wizard stopped without touching it; look at who changed it, then run again"
        case .backupNotAsRecorded(let path):
            return "the backup \(path) is not the file the run recorded when it made it (a link, or other bytes): it is not put back; restore the file by hand from a copy you trust"
        case .notDurable(let path, let code):
            return "wrote \(path) but could not sync its directory (\(String(cString: strerror(code)))): the change may not survive a crash; check the disk"
        }
    }
}
