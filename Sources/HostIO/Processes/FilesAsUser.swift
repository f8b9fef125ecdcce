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
/// `cat`, `find` or `test` run as that user, started by a fork that drops to
/// the user and execs the program with an empty environment, outside the
/// wizard's session (docs/SECURITY.md, "Files"). No PAM session is opened,
/// so a look costs a fork and an exec, not `runuser`'s ~20 ms.
public enum FilesAsUser {
    /// More than any pg_hba.conf: a link to /dev/zero or a FIFO someone
    /// keeps feeding is cut off here instead of filling root's memory.
    public static let largestRead = 64 << 20

    public static func read(_ path: String, as user: OSUser, timeoutSeconds: Double = 30) -> Result<[UInt8], FileAsUserFailure> {
        run("cat", ["--", path], as: user, timeoutSeconds: timeoutSeconds)
    }

    /// The directory's entries, without `.` and `..`, in the order the directory gives them.
    public static func list(_ directory: String, as user: OSUser, timeoutSeconds: Double = 30) -> Result<[String], FileAsUserFailure> {
        run("find", [directory, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0"], as: user, timeoutSeconds: timeoutSeconds)
            .map { bytes in bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Whether the path, links followed, is a regular file the user can reach.
    public static func isRegularFile(_ path: String, as user: OSUser, timeoutSeconds: Double = 30) -> Bool {
        if case .success = run("test", ["-f", path], as: user, timeoutSeconds: timeoutSeconds) { return true }
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

    /// What the program wrote, or why it did not succeed (the last words of
    /// its error, `cat: /x: Permission denied` -> `Permission denied`).
    private static func run(_ program: String, _ arguments: [String], as user: OSUser,
                            timeoutSeconds: Double) -> Result<[UInt8], FileAsUserFailure> {
        func failure(_ reason: String) -> Result<[UInt8], FileAsUserFailure> { .failure(FileAsUserFailure(reason: reason, missing: false)) }
        guard OSUser.isRoot || user.isCurrent else { return failure("only root can look as \(user.name)") }
        guard let path = try? ProcessRunner.resolve(program) else { return failure("cannot find \(program)") }
        var output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        guard pgsw_pipe_cloexec(&output) == 0 else { return failure("cannot start a reader as \(user.name): " + String(cString: strerror(errno))) }
        guard pgsw_pipe_cloexec(&errors) == 0 else {
            close(output[0]); close(output[1])
            return failure("cannot start a reader as \(user.name): " + String(cString: strerror(errno)))
        }
        let groups = groups(of: user)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let pid = groups.withUnsafeBufferPointer { list in
            pgsw_spawn_as_user(path, argv, user.uid, user.gid, list.baseAddress, Int32(list.count), output[1], errors[1])
        }
        let forkError = errno
        close(output[1]); close(errors[1])
        defer { close(output[0]); close(errors[0]) }
        guard pid > 0 else { return failure("cannot start a reader as \(user.name): " + String(cString: strerror(forkError))) }
        let child = ChildProcess(pid: pid)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        let (bytes, cut) = readAll(output[0], until: deadline, limit: largestRead)
        // A reader stuck on a FIFO or a dead mount, or one that would never stop, is killed here.
        guard !cut, let status = child.wait(timeoutSeconds: max(0.05, deadline.timeIntervalSinceNow)) else {
            kill(pid, SIGKILL)
            _ = child.wait(timeoutSeconds: 5)
            return failure(cut ? "larger than \(largestRead >> 20) MiB" : "no answer within \(Int(timeoutSeconds)) s")
        }
        switch status {
        case 0: return .success(bytes)
        case 125: return failure("cannot become \(user.name)")
        case 127: return failure("cannot run \(path) as \(user.name)")
        default:
            let said = String(decoding: readAll(errors[0], until: Date().addingTimeInterval(1), limit: 4096).bytes, as: UTF8.self)
            let line = said.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            let reason = line.range(of: ": ", options: .backwards).map { String(line[$0.upperBound...]) }
                ?? (line.isEmpty ? (status > 128 ? "the reader was stopped" : "cannot be read") : line)
            return .failure(FileAsUserFailure(reason: reason, missing: reason == "No such file or directory"))
        }
    }

    /// Everything up to end of file, the deadline or `limit` bytes (`cut`: more was coming).
    private static func readAll(_ fd: Int32, until deadline: Date, limit: Int) -> (bytes: [UInt8], cut: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let milliseconds = Int32(max(0, deadline.timeIntervalSinceNow * 1000).rounded(.up))
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return (bytes, false) }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return (bytes, false) }
            bytes.append(contentsOf: chunk.prefix(count))
            if bytes.count > limit { return (bytes, true) }
        }
    }
}
