import ClusterFacts
import Foundation

/// What `fstat` says about an open file: the identity a later use must match.
public struct FileIdentity: Hashable, Sendable, Codable {
    public var device: UInt64
    public var inode: UInt64
    public var uid: uid_t
    public var gid: gid_t
    /// Permission bits only (0o7777).
    public var mode: UInt32

    /// The identity a journal kept: only device and inode are compared.
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
        uid = 0
        gid = 0
        mode = 0
    }

    public init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        uid = info.st_uid
        gid = info.st_gid
        mode = UInt32(info.st_mode & 0o7777)
    }

    /// Same file (device and inode): owner and mode may legitimately differ.
    public func isSameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }
}

/// Files on the database host touched the way root must touch files in a
/// directory another user can write (docs/SECURITY.md, "Files"): reached
/// through `SafePath` (no link another user could change, at any level),
/// opened without following a final symbolic link and without blocking on a FIFO,
/// checked with `fstat` to be a regular file, then read, hashed or changed
/// only through that descriptor. Nothing is re-opened by path after a check.
public enum HostFile {
    /// The most any whole-file read takes in (`Descriptor.bytes`): more than
    /// any pg_hba.conf, certificate or pid file the wizard reads whole.
    public static let readLimit = 64 << 20

    /// O_PATH, which Glibc's Swift module leaves behind `_GNU_SOURCE`: the
    /// same value on every Linux architecture.
    public static let pathOnly: Int32 = 0o10000000

    /// An open regular file; closed when the value goes away.
    public final class Descriptor: @unchecked Sendable {
        public let fd: Int32
        public let path: String
        public let identity: FileIdentity

        fileprivate init(fd: Int32, path: String, identity: FileIdentity) {
            self.fd = fd
            self.path = path
            self.identity = identity
        }

        /// Takes over an open descriptor: it must be a regular file (closed otherwise).
        static func adopt(_ fd: Int32, path: String) throws(FileWriteError) -> Descriptor {
            var info = stat()
            guard fstat(fd, &info) == 0 else { let code = errno; close(fd); throw .system(path: path, operation: "stat", errno: code) }
            guard info.st_mode & S_IFMT == S_IFREG else {
                close(fd)
                throw .notRegular(path: path, found: info.st_mode & S_IFMT == S_IFDIR ? "a directory" : "not a regular file")
            }
            return Descriptor(fd: fd, path: path, identity: FileIdentity(info))
        }

        deinit { close(fd) }

        /// Every byte from the start, up to `limit`: more is an error, not
        /// a wait (a sparse file of another user's can claim exabytes, and
        /// one can grow while it is read).
        public func bytes(limit: Int = HostFile.readLimit) throws(FileWriteError) -> [UInt8] {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw .system(path: path, operation: "stat", errno: errno) }
            if info.st_size > off_t(limit) {
                throw .system(path: path, operation: "read (larger than \(limit) bytes)", errno: EFBIG)
            }
            // The size it has now and no more: a file that says 0 and still yields bytes
            // (/proc/kmsg, a tracing pipe) gives them up to whoever reads, and is not read.
            let size = Int(info.st_size)
            var result: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            var offset: off_t = 0
            while result.count < size {
                let count = pread(fd, &buffer, min(buffer.count, size - result.count), offset)
                if count < 0 { throw .system(path: path, operation: "read", errno: errno) }
                if count == 0 { break }
                result.append(contentsOf: buffer[0..<count])
                offset += off_t(count)
            }
            return result
        }

        /// The first `limit` bytes, `size` at a time, without keeping them (logs of any size).
        public func forEachChunk(size: Int, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws(FileWriteError) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
            defer { buffer.deallocate() }
            var offset: off_t = 0
            while offset < off_t(limit) {
                let count = pread(fd, buffer.baseAddress, min(size, limit - Int(offset)), offset)
                if count < 0 { throw .system(path: path, operation: "read", errno: errno) }
                if count == 0 { return }
                body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                offset += off_t(count)
            }
        }

        /// Mode first, then owner: the file is never readable by more people than before, even between the two calls.
        public func setMode(_ mode: mode_t, owner: FileOwner?) throws(FileWriteError) {
            guard fchmod(fd, mode) == 0 else { throw .system(path: path, operation: "chmod", errno: errno) }
            if let owner, fchown(fd, owner.uid, owner.gid) != 0 { throw .system(path: path, operation: "chown", errno: errno) }
        }

        /// The owner first when taking a mode back: the reverse order of `setMode`.
        public func restoreOwnerThenMode(_ mode: mode_t, owner: FileOwner) throws(FileWriteError) {
            guard fchown(fd, owner.uid, owner.gid) == 0 else { throw .system(path: path, operation: "chown", errno: errno) }
            guard fchmod(fd, mode) == 0 else { throw .system(path: path, operation: "chmod", errno: errno) }
        }
    }

    /// Opens `path` for reading: never through a final symbolic link, never
    /// anything but a regular file, and when `expected` is given, the same
    /// file (device and inode) as at the check that produced it.
    public static func open(_ path: String, expected: FileIdentity? = nil) throws(FileWriteError) -> Descriptor {
        let (directory, name) = try SafePath.parent(of: path)
        defer { close(directory) }
        guard let file = try openRegular(name, in: directory, path: path) else {
            throw .system(path: path, operation: "open", errno: ENOENT)
        }
        if let expected, !file.identity.isSameFile(as: expected) { throw .replacedSinceCheck(path: path) }
        return file
    }

    /// `name` in `directory`, looked at before it is opened with no window
    /// between: resolved into a descriptor that opens nothing (O_PATH; with
    /// O_NOFOLLOW a link is the link itself), and only a regular file then
    /// opened, through that descriptor. Opening a FIFO or a device has
    /// effects of its own (a writer woken, a driver called). nil when there
    /// is nothing by that name.
    public static func openRegular(_ name: String, in directory: Int32, path: String) throws(FileWriteError) -> Descriptor? {
        let handle = openat(directory, name, HostFile.pathOnly | O_NOFOLLOW | O_CLOEXEC)
        guard handle >= 0 else {
            if errno == ENOENT { return nil }
            throw .system(path: path, operation: "open", errno: errno)
        }
        defer { close(handle) }
        return try reopenRegular(handle, path: path)
    }

    /// The regular file an O_PATH descriptor stands for, opened for reading
    /// through it (/proc/self/fd), or the reason it is not opened.
    public static func reopenRegular(_ handle: Int32, path: String) throws(FileWriteError) -> Descriptor {
        var found = stat()
        guard fstat(handle, &found) == 0 else { throw .system(path: path, operation: "stat", errno: errno) }
        guard found.st_mode & S_IFMT == S_IFREG else {
            let kind = found.st_mode & S_IFMT
            throw .notRegular(path: path, found: kind == S_IFDIR ? "a directory" : kind == S_IFLNK ? "a symbolic link" : "not a regular file")
        }
        let fd = Glibc.open("/proc/self/fd/\(handle)", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            // Without /proc (a chroot) the file is there all the same: never reported as missing.
            let code = errno
            throw .system(path: path, operation: "open (through /proc/self/fd)", errno: code == ENOENT ? ENXIO : code)
        }
        let file = try Descriptor.adopt(fd, path: path)
        guard file.identity.isSameFile(as: FileIdentity(found)) else { throw .replacedSinceCheck(path: path) }
        return file
    }

    /// The file a process has as its standard error, through the kernel's
    /// reference to it (/proc/PID/fd/2): no path that could be swapped, and
    /// looked at before it is opened, as `openRegular`. Only for a verified
    /// postmaster (`Postmaster.verified`); `path` names it in messages.
    public static func openStandardError(of pid: Int32, path: String) throws(FileWriteError) -> Descriptor {
        let handle = Glibc.open("/proc/\(pid)/fd/2", HostFile.pathOnly | O_CLOEXEC)
        guard handle >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        defer { close(handle) }
        return try reopenRegular(handle, path: path)
    }

    /// The bytes of a regular file (no link followed), or the error.
    public static func read(_ path: String) throws(FileWriteError) -> [UInt8] {
        try open(path).bytes()
    }

    /// The SHA-256 of a regular file's bytes; nil when it is missing,
    /// unreadable, a link or not a regular file.
    public static func sha256(_ path: String) -> String? {
        guard let bytes = try? read(path) else { return nil }
        return FileDigest.sha256(bytes)
    }

    /// lstat: what is at `path` itself (a link is reported as a link).
    public static func kind(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// Opens a directory, every component resolved without following a link another user could change.
    public static func openDirectory(_ path: String) throws(FileWriteError) -> Int32 {
        try SafePath.directory(path)
    }

    /// A name nobody can guess in advance (for backups and temporary files
    /// in directories another user can write).
    /// A new directory nobody could have made in advance (`mkdtemp`):
    /// `<base>/<prefix>-XXXXXX`, this process's user's, 0700.
    public static func newDirectory(in base: String, prefix: String) throws(FileWriteError) -> String {
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw .system(path: base, operation: "create a directory in", errno: errno)
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func unpredictableSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
    }
}

extension HostFile {
    /// Removes a tree the way root must remove one another user can change
    /// while it is walked: from held directory descriptors, entry by entry
    /// with `unlinkat`, never following a link (a directory swapped for a
    /// link mid-walk is removed as the link it now is, not followed).
    public static func removeTree(_ path: String) {
        guard let (parent, name) = try? SafePath.parent(of: path) else { return }
        defer { close(parent) }
        removeEntry(name, in: parent)
    }

    private static func removeEntry(_ name: String, in directory: Int32) {
        let fd = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            unlinkat(directory, name, 0)
            return
        }
        if let stream = fdopendir(dup(fd)) {
            var names: [String] = []
            while let entry = readdir(stream) {
                let entryName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if entryName != "." && entryName != ".." { names.append(entryName) }
            }
            closedir(stream)
            for entryName in names { removeEntry(entryName, in: fd) }
        }
        close(fd)
        unlinkat(directory, name, AT_REMOVEDIR)
    }

    /// Every name in a directory reached through `SafePath`; empty when it cannot be read.
    public static func names(in path: String) -> [String] {
        guard let fd = try? SafePath.directory(path), let stream = fdopendir(fd) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes one file (never a directory, never through a link) from a directory reached through `SafePath`.
    public static func remove(_ path: String) {
        guard let (directory, name) = try? SafePath.parent(of: path) else { return }
        defer { close(directory) }
        unlinkat(directory, name, 0)
    }

    /// At most `limit` bytes of a regular file (a FIFO or /dev/zero in its place neither blocks nor fills memory).
    public static func read(_ path: String, limit: Int) throws(FileWriteError) -> [UInt8] {
        try open(path).bytes(limit: limit)
    }
}
