import ClusterFacts
import Executor
import Foundation
import HostIO

/// How root touches a sandbox's files: the sandbox root and the cluster's
/// directories belong to the server's OS user, who could swap any name in
/// them for a link, so nothing is changed by path after it is created
/// (docs/SECURITY.md, "Files").
public enum SandboxFiles {
    /// A new directory nobody could have made in advance (`mkdtemp`):
    /// `<temporary directory>/<prefix>-XXXXXX`, 0700 until it is handed over.
    public static func newRoot(prefix: String) throws(SandboxError) -> String {
        do {
            return try HostFile.newDirectory(in: FileManager.default.temporaryDirectory.path, prefix: prefix)
        } catch {
            throw .fileSystem("cannot create a sandbox directory: \(operatorMessage(for: error))")
        }
    }

    /// Creates `path` if missing and gives it to `owner` with `mode`, through
    /// a descriptor that followed no link; an existing directory must be
    /// root's or already the owner's.
    static func ownedDirectory(_ path: String, owner: OSUser, mode: mode_t) throws(SandboxError) {
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw .fileSystem("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let fd: Int32
        do { fd = try HostFile.openDirectory(path) } catch { throw .fileSystem(error.operatorMessage) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_uid == 0 || info.st_uid == owner.uid else {
            throw .fileSystem("\(path) belongs to someone else: choose another directory")
        }
        guard fchown(fd, owner.uid, owner.gid) == 0, fchmod(fd, mode) == 0 else {
            throw .fileSystem("cannot hand \(path) to \(owner.name): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes a sandbox tree as its owner (`rm -rf` run as that user); what
    /// only root can remove (files the tests made as root) goes afterwards,
    /// from held directory descriptors (`HostFile.removeTree`), never by path:
    /// the owner can change the tree while it is walked.
    public static func remove(_ root: String, owner: OSUser) {
        _ = try? ProcessRunner.run("rm", ["-rf", "--one-file-system", "--", root], as: owner.isCurrent ? nil : owner, timeoutSeconds: 120)
        if HostFile.kind(root) != nil { HostFile.removeTree(root) }
    }

    /// Appends to a regular file of `owner`'s, never through a link.
    static func append(_ text: String, to path: String, owner: OSUser) throws(SandboxError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .fileSystem("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == owner.uid, info.st_nlink == 1 else {
            throw .fileSystem("\(path) is not \(owner.name)'s own regular file: nothing was appended")
        }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw .fileSystem("cannot write \(path)")
        }
    }
}
