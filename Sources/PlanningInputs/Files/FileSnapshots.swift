import Certificates
import Foundation
import HostIO

/// Reads files into the values the pure modules inspect.
public enum FileSnapshots {
    /// More than any certificate, key or CA bundle: a sparse file of the
    /// server's user's making is not read into memory to its end.
    static let sizeLimit = 64 << 20


    /// The paths come from the server's settings, which its OS user can set:
    /// they may name a FIFO, a device or a link to either. The path is
    /// resolved once, following links as the server's open() does, into a
    /// descriptor that opens nothing (O_PATH: no FIFO's writer is woken, no
    /// device's driver is called); only a regular file is then opened for
    /// reading, through that descriptor and never by path again. Owner,
    /// mode and bytes all come from that one file.
    public static func read(_ path: String) -> FileSnapshot {
        var info = stat()
        let handle = open(path, HostFile.pathOnly | O_CLOEXEC)
        guard handle >= 0 else {
            if errno == EACCES, stat(path, &info) == 0 {
                return FileSnapshot(path: path, kind: .unreadable, ownerUID: info.st_uid, ownerName: ownerName(info), mode: UInt32(info.st_mode))
            }
            return .missing(path)
        }
        defer { close(handle) }
        guard fstat(handle, &info) == 0 else { return .missing(path) }
        let owner = ownerName(info)
        let unreadable = FileSnapshot(path: path, kind: .unreadable, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
        // Nothing of the kernel's (/proc, /sys, debugfs...) is read, whatever size it says.
        guard (info.st_mode & S_IFMT) == S_IFREG, !KernelFiles.contains(info) else {
            return FileSnapshot(path: path, kind: .other, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
        }
        guard info.st_size <= off_t(sizeLimit) else { return unreadable }
        let fd = open("/proc/self/fd/\(handle)", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return unreadable }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0, opened.st_dev == info.st_dev, opened.st_ino == info.st_ino else { return unreadable }
        // The size it had when looked at and no more: a regular file that says 0 and still
        // yields bytes (/proc/kmsg, a tracing pipe) gives them up to whoever reads, and is not read.
        let size = Int(info.st_size)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < size {
            let count = Glibc.read(fd, &buffer, min(buffer.count, size - bytes.count))
            if count < 0 { return unreadable }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return FileSnapshot(path: path, kind: .regular, bytes: bytes, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
    }

    static func ownerName(_ info: stat) -> String {
        OSUser.lookup(uid: info.st_uid)?.name ?? String(info.st_uid)
    }
}
