import Certificates
import Foundation
import HostIO

/// Reads files into the values the pure modules inspect.
public enum FileSnapshots {
    /// The paths come from the server's settings, which its OS user can set:
    /// they may name a FIFO, a device or a link to either. The path is
    /// resolved once, following links as the server's open() does, into a
    /// descriptor that opens nothing (O_PATH: no FIFO's writer is woken, no
    /// device's driver is called); only a regular file that is not the
    /// kernel's is then opened for reading, through that descriptor and never
    /// by path again (`HostFile.reopenRegular`), and read to the size it said,
    /// at most `HostFile.readLimit`. Owner, mode and bytes all come from that
    /// one file.
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
        // Nothing of the kernel's (/proc, /sys, debugfs...) is read, whatever size it says.
        guard (info.st_mode & S_IFMT) == S_IFREG, !KernelFiles.contains(info) else {
            return FileSnapshot(path: path, kind: .other, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
        }
        guard let file = try? HostFile.reopenRegular(handle, path: path), let bytes = try? file.bytes() else {
            return FileSnapshot(path: path, kind: .unreadable, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
        }
        return FileSnapshot(path: path, kind: .regular, bytes: bytes, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
    }

    static func ownerName(_ info: stat) -> String {
        OSUser.lookup(uid: info.st_uid)?.name ?? String(info.st_uid)
    }
}
