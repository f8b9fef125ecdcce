import Certificates
import Foundation
import HostIO

/// Reads files into the values the pure modules inspect.
public enum FileSnapshots {
    public static func read(_ path: String) -> FileSnapshot {
        // Follows a symbolic link the way the server's open() does, but owner,
        // mode and bytes all come from the one descriptor: never from two lookups.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        var info = stat()
        guard fd >= 0 else {
            if errno == EACCES, stat(path, &info) == 0 {
                let owner = OSUser.lookup(uid: info.st_uid)?.name ?? String(info.st_uid)
                return FileSnapshot(path: path, kind: .unreadable, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
            }
            return .missing(path)
        }
        defer { close(fd) }
        guard fstat(fd, &info) == 0 else { return .missing(path) }
        let owner = OSUser.lookup(uid: info.st_uid)?.name ?? String(info.st_uid)
        let isRegular = (info.st_mode & S_IFMT) == S_IFREG
        guard isRegular else {
            return FileSnapshot(path: path, kind: .other, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 { return FileSnapshot(path: path, kind: .unreadable, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode)) }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return FileSnapshot(path: path, kind: .regular, bytes: bytes, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
    }
}
