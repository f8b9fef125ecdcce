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
        guard let output = try? ProcessRunner.run("cat", ["--", path], as: user, timeoutSeconds: 30) else {
            return .failure(reason: "cannot start a reader as \(user.name)", missing: false)
        }
        guard output.succeeded else {
            let reason = Self.reason(output.stderr)
            return .failure(reason: reason, missing: reason == "No such file or directory")
        }
        return .contents(Array(output.stdoutBytes))
    }

    public func list(_ directory: String) -> Result<[String], FileListError> {
        guard let output = try? ProcessRunner.run("find", [directory, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0"],
                                                  as: user, timeoutSeconds: 30) else {
            return .failure(FileListError(reason: "cannot start a reader as \(user.name)"))
        }
        guard output.succeeded else { return .failure(FileListError(reason: Self.reason(output.stderr))) }
        return .success(output.stdout.split(separator: "\0").map(String.init))
    }

    public func isRegularFile(_ path: String) -> Bool {
        (try? ProcessRunner.run("test", ["-f", path], as: user, timeoutSeconds: 30))?.succeeded == true
    }

    /// `cat: /x: Permission denied` -> `Permission denied` (strerror's words, as the server quotes them).
    static func reason(_ stderr: String) -> String {
        let line = stderr.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard let range = line.range(of: ": ", options: .backwards) else { return line.isEmpty ? "cannot be read" : line }
        return String(line[range.upperBound...])
    }
}
