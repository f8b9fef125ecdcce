import Certificates
import Foundation

/// Reads files into the values the pure modules inspect.
public enum FileSnapshots {
    public static func read(_ path: String) -> FileSnapshot {
        // stat follows a symbolic link the way the server's open() does.
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing(path) }
        let owner = OSUser.lookup(uid: info.st_uid)?.name ?? String(info.st_uid)
        let isRegular = (info.st_mode & S_IFMT) == S_IFREG
        guard isRegular else {
            return FileSnapshot(path: path, kind: .other, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileSnapshot(path: path, kind: .unreadable, ownerUID: info.st_uid, ownerName: owner, mode: UInt32(info.st_mode))
        }
        return FileSnapshot(path: path, kind: .regular, bytes: Array(data), ownerUID: info.st_uid, ownerName: owner,
                            mode: UInt32(info.st_mode))
    }
}
