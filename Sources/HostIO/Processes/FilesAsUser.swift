import CPosixSpawn
import Foundation

/// Why a look as another user found nothing: strerror's words, as that
/// user's own process (the server) would quote them.
public struct FileAsUserFailure: Error, Hashable, Sendable {
    public var reason: String
    /// The file or directory does not exist (ENOENT).
    public var missing: Bool

    public init(reason: String, missing: Bool) {
        self.reason = reason
        self.missing = missing
    }
}

/// One look at a file or a directory with the rights of another OS user
/// (ids and supplementary groups), as that user's own process would look:
/// a forked child drops to the user and reports back through a pipe. No
/// program is run and no PAM session opened, so a look costs a fork
/// (docs/SECURITY.md, "Files").
public enum FilesAsUser {
    public static func read(_ path: String, as user: OSUser, timeoutSeconds: Double = 30) -> Result<[UInt8], FileAsUserFailure> {
        run(Int32(PGSW_AS_USER_READ), path, user, timeoutSeconds)
    }

    /// The directory's entries, without `.` and `..`, in the order the directory gives them.
    public static func list(_ directory: String, as user: OSUser, timeoutSeconds: Double = 30) -> Result<[String], FileAsUserFailure> {
        run(Int32(PGSW_AS_USER_LIST), directory, user, timeoutSeconds).map { bytes in
            bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Whether the path, links followed, is a regular file the user can reach.
    public static func isRegularFile(_ path: String, as user: OSUser, timeoutSeconds: Double = 30) -> Bool {
        if case .success = run(Int32(PGSW_AS_USER_IS_REGULAR), path, user, timeoutSeconds) { return true }
        return false
    }

    /// The user's supplementary groups, as a login (and the server started by one) gets them.
    static func groups(of user: OSUser) -> [gid_t] {
        var count: Int32 = 64
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            let before = count
            if getgrouplist(user.name, user.gid, &groups, &count) >= 0 { return Array(groups.prefix(Int(count))) }
            // Too small: count now says how many there are.
            if count <= before { count = before * 2 }
        }
    }

    private static func run(_ operation: Int32, _ path: String, _ user: OSUser, _ timeoutSeconds: Double) -> Result<[UInt8], FileAsUserFailure> {
        guard OSUser.isRoot || user.isCurrent else {
            return .failure(FileAsUserFailure(reason: "only root can look as \(user.name)", missing: false))
        }
        var ends: [Int32] = [-1, -1]
        guard pgsw_pipe_cloexec(&ends) == 0 else {
            return .failure(FileAsUserFailure(reason: "cannot start a reader as \(user.name): " + String(cString: strerror(errno)), missing: false))
        }
        let groups = groups(of: user)
        let pid = groups.withUnsafeBufferPointer { list in
            pgsw_fork_as_user(operation, path, user.uid, user.gid, list.baseAddress, Int32(list.count), ends[1])
        }
        let forkError = errno
        close(ends[1])
        defer { close(ends[0]) }
        guard pid > 0 else {
            return .failure(FileAsUserFailure(reason: "cannot start a reader as \(user.name): " + String(cString: strerror(forkError)), missing: false))
        }
        let child = ChildProcess(pid: pid)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        reading: while true {
            let milliseconds = Int32(max(0, deadline.timeIntervalSinceNow * 1000).rounded(.up))
            var entry = pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break reading }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(ends[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break reading }
            bytes.append(contentsOf: chunk.prefix(count))
        }
        // A reader stuck on a FIFO or a dead mount is stopped at the deadline, like the server's own would block.
        guard let status = child.wait(timeoutSeconds: max(0.05, deadline.timeIntervalSinceNow)) else {
            kill(pid, SIGKILL)
            _ = child.wait(timeoutSeconds: 5)
            return .failure(FileAsUserFailure(reason: "no answer within \(Int(timeoutSeconds)) s", missing: false))
        }
        guard status == 0 else {
            return .failure(FileAsUserFailure(reason: status < 128 ? String(cString: strerror(status)) : "the reader was stopped",
                                              missing: status == ENOENT))
        }
        return .success(bytes)
    }
}
