import Foundation
import HBA
import HostIO

/// pg_hba.conf and the files it includes (`include*`, `@file`) read with the
/// rights of the server's OS user, as the server reads them: root would
/// otherwise follow a link the server's user planted to a file only root may
/// read, and show its lines in a plan or an error. A file that user cannot
/// read fails as it would fail for the server ("Permission denied"), and
/// nothing of it is read. docs/SECURITY.md, "Files".
public struct ServerUserFileSource: FileSource {
    public let user: OSUser

    public init(user: OSUser) { self.user = user }

    /// The way to read the server's files from this process: as the server's
    /// user when running as root (and that user is not root), else directly.
    public static func forServer(owner: OSUser?) -> any FileSource {
        guard OSUser.isRoot else { return DiskFileSource() }
        // Root never reads the server's files as itself: with no server user to read them as, nothing is read.
        guard let owner, owner.uid != 0 else {
            return Unreadable(reason: "the server's OS user cannot be told (its data directory is not reachable without a link someone else could change)")
        }
        return ServerUserFileSource(user: owner)
    }

    /// What root reads when it cannot read as the server's user: nothing.
    struct Unreadable: FileSource {
        let reason: String
        func read(_ path: String) -> FileRead { .failure(reason: reason, missing: false) }
        func list(_ directory: String) -> Result<[String], FileListError> { .failure(FileListError(reason: reason)) }
        func isRegularFile(_ path: String) -> Bool { false }
    }

    /// The data directory's owner (no link followed), or nil.
    public static func serverOwner(dataDirectory: String) -> OSUser? {
        guard let fd = try? HostFile.openDirectory(dataDirectory) else { return nil }
        defer { close(fd) }
        var info = stat()
        return fstat(fd, &info) == 0 ? OSUser.lookup(uid: info.st_uid) : nil
    }

    public func read(_ path: String) -> FileRead {
        switch FilesAsUser.read(path, as: user) {
        case .success(let bytes): return .contents(bytes)
        case .failure(let failure): return .failure(reason: failure.reason, missing: failure.missing)
        }
    }

    public func list(_ directory: String) -> Result<[String], FileListError> {
        FilesAsUser.list(directory, as: user).mapError { FileListError(reason: $0.reason) }
    }

    public func isRegularFile(_ path: String) -> Bool { FilesAsUser.isRegularFile(path, as: user) }
}
