import ClusterFacts
import Foundation

/// Writes files the way a tool touching a production server must: the new
/// bytes go to a temporary file in the same directory, created with the final
/// mode (0600 for keys, before any byte exists) and owner, fsynced, then
/// renamed over the target; the directory is fsynced too. An existing target
/// is first copied to `<path>.bak-<UTC timestamp>` (0600), never lost.
public struct AtomicFileWriter: Sendable {
    public struct Owner: Hashable, Sendable {
        public var uid: uid_t
        public var gid: gid_t
        public init(uid: uid_t, gid: gid_t) {
            self.uid = uid
            self.gid = gid
        }
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

    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    @discardableResult
    public func write(_ bytes: [UInt8], to path: String, mode: mode_t, owner: Owner? = nil,
                      backup: Bool = true) throws(FileWriteError) -> Outcome {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var info = stat()
        let exists = lstat(path, &info) == 0
        // Only a regular file is replaced (reading a FIFO would block, a directory has no bytes);
        // one that exists but cannot be read cannot be backed up, so it is never replaced either.
        if exists, info.st_mode & S_IFMT != S_IFREG { throw .system(path: path, operation: "replace a non-regular file at", errno: EINVAL) }
        let existing = exists ? FileManager.default.contents(atPath: path).map { [UInt8]($0) } : nil
        if exists, existing == nil { throw .system(path: path, operation: "read (for its backup)", errno: EACCES) }
        let name = (path as NSString).lastPathComponent
        func temporaryName() -> String { directory + "/." + name + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }
        var backupPath: String?
        if let existing, backup {
            let backup = path + ".bak-" + stamp
            // A backup with this run's stamp holds the file as it was before the
            // run (a resumed run writes again): it is never overwritten. It is
            // itself written whole or not at all (temporary + rename), since a
            // torn backup would be trusted by a later rollback.
            if access(backup, F_OK) != 0 {
                let temporary = temporaryName()
                do throws(FileWriteError) {
                    try createAndFill(temporary, existing, mode: 0o600, owner: owner, crashPoint: "mid-write:" + name + ".bak")
                    guard rename(temporary, backup) == 0 else { throw FileWriteError.system(path: backup, operation: "rename", errno: errno) }
                } catch {
                    unlink(temporary)
                    throw error
                }
            }
            backupPath = backup
        }
        let temporary = temporaryName()
        do throws(FileWriteError) {
            try createAndFill(temporary, bytes, mode: mode, owner: owner, crashPoint: "mid-write:" + name)
            guard rename(temporary, path) == 0 else { throw FileWriteError.system(path: path, operation: "rename", errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        // The new file is in place; only its durability across a crash is at stake now.
        if let code = Self.syncDirectory(directory) { throw .notDurable(path: path, errno: code) }
        return Outcome(path: path, backupPath: backupPath, sha256Before: existing.map(FileDigest.sha256),
                       sha256After: FileDigest.sha256(bytes))
    }

    /// Creates a new file (never follows or reuses an existing one) with its
    /// final mode and owner before writing, then fsyncs it.
    private func createAndFill(_ path: String, _ bytes: [UInt8], mode: mode_t, owner: Owner?,
                               crashPoint: String? = nil) throws(FileWriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw .system(path: path, operation: "create", errno: errno) }
        defer { close(descriptor) }
        // umask may have removed bits; set exactly the mode asked for.
        guard fchmod(descriptor, mode) == 0 else { unlink(path); throw .system(path: path, operation: "chmod", errno: errno) }
        if let owner, fchown(descriptor, owner.uid, owner.gid) != 0 {
            let code = errno
            unlink(path)
            throw .system(path: path, operation: "chown", errno: code)
        }
        var offset = 0
        while offset < bytes.count {
            // Half at a time under a crash test, so "killed mid-write" leaves a torn temporary file.
            let chunk = crashPoint != nil && CrashPoint.armed ? max(1, (bytes.count - offset + 1) / 2) : bytes.count - offset
            let written = bytes[offset..<(offset + chunk)].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { let code = errno; unlink(path); throw .system(path: path, operation: "write", errno: code) }
            offset += written
            if let crashPoint, offset < bytes.count { CrashPoint.reach(crashPoint) }
        }
        guard fsync(descriptor) == 0 else { let code = errno; unlink(path); throw .system(path: path, operation: "fsync", errno: code) }
    }

    /// fsync of the directory so the rename survives a crash; the errno on failure.
    static func syncDirectory(_ directory: String) -> Int32? {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        return fsync(descriptor) == 0 ? nil : errno
    }
}

public enum FileWriteError: Error, Hashable, Sendable {
    case system(path: String, operation: String, errno: Int32)
    /// Written and renamed into place, but the directory could not be synced.
    case notDurable(path: String, errno: Int32)
}

extension FileWriteError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .system(let path, let operation, let code):
            let reason = String(cString: strerror(code))
            let advice = code == EACCES || code == EPERM ? ": run as root or as the file's owner" :
                code == EEXIST ? ": a leftover temporary file is in the way; remove it" : ""
            return "could not \(operation) \(path): \(reason)\(advice); nothing was replaced"
        case .notDurable(let path, let code):
            return "wrote \(path) but could not sync its directory (\(String(cString: strerror(code)))): the change may not survive a crash; check the disk"
        }
    }
}
