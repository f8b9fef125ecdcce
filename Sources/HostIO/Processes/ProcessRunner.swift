import CPosixSpawn
import ClusterFacts
import Foundation

/// What a finished child process left behind.
public struct ProcessOutput: Sendable, Hashable {
    public var exitCode: Int32
    /// Standard output byte for byte (a file read by a child keeps bytes that are not UTF-8).
    public var stdoutBytes: [UInt8]
    public var stderr: String
    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    public var succeeded: Bool { exitCode == 0 }
}

public enum ProcessError: Error, Hashable, Sendable {
    case notFound(String)
    case cannotSwitchUser(to: String)
    case timedOut(command: String, seconds: Double)
    case failed(command: String, exitCode: Int32, stderr: String)
    case launchFailed(command: String, reason: String)
}

extension ProcessError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .notFound(let program):
            return "\(program) was not found; install it or put it on PATH"
        case .cannotSwitchUser(let user):
            return "this needs to run as \(user); run pg-ssl-wizard as root or as \(user)"
        case .timedOut(let command, let seconds):
            return "\(command) did not finish within \(Int(seconds)) s"
        case .failed(let command, let exitCode, let stderr):
            let detail = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            return "\(command) failed with exit code \(exitCode)\(detail.isEmpty ? "" : ": \(detail)")"
        case .launchFailed(let command, let reason):
            return "could not start \(command): \(reason)"
        }
    }
}

/// Runs child processes, optionally as another OS user (through `runuser`
/// when we are root). Output is captured; nothing is echoed.
///
/// Every child gets an environment built for it (`ChildEnvironment`): a
/// fixed PATH, the locale, and what the caller names; never the wizard's
/// own (PGPASSWORD, PGPASSFILE, LD_PRELOAD...). As root, a program named
/// without a path is looked up in fixed system directories only, never on
/// the caller's PATH (docs/SECURITY.md, "Children").
///
/// Children are started with posix_spawn and every descriptor above stderr
/// closed, and are waited for with waitpid. Foundation's Process is not
/// used: on Linux it notices a child's exit through a descriptor the child
/// inherits, so `pg_ctl start` (whose postmaster keeps running) never ends.
public enum ProcessRunner {
    /// Runs to completion. A non-zero exit is returned, not thrown; use
    /// `checked` for commands that must succeed.
    public static func run(_ executable: String, _ arguments: [String], as user: OSUser? = nil,
                           inNamespace namespace: String? = nil,
                           environment: [String: String] = [:], inheritEnvironment: Bool = false, input: String? = nil,
                           timeoutSeconds: Double = 120) throws(ProcessError) -> ProcessOutput {
        let (path, argv) = try commandLine(executable, arguments, as: user, inNamespace: namespace)
        let display = ([executable] + arguments).joined(separator: " ")
        guard let out = CaptureFile(), let err = CaptureFile(), let stdin = CaptureFile() else {
            throw .launchFailed(command: display, reason: "cannot create a temporary file")
        }
        if let input { stdin.write(input) }
        let child = try ChildProcess.spawn(path: path, arguments: argv,
                                           environment: ChildEnvironment.make(environment, inheriting: inheritEnvironment),
                                           stdin: stdin.fd, stdout: out.fd, stderr: err.fd, display: display)
        guard let status = child.wait(timeoutSeconds: timeoutSeconds) else {
            child.terminate()
            throw .timedOut(command: display, seconds: timeoutSeconds)
        }
        return ProcessOutput(exitCode: status, stdoutBytes: out.bytes(), stderr: String(decoding: err.bytes(), as: UTF8.self))
    }

    /// Runs and throws `.failed` unless the exit code is 0.
    @discardableResult
    public static func checked(_ executable: String, _ arguments: [String], as user: OSUser? = nil,
                               inNamespace namespace: String? = nil,
                               environment: [String: String] = [:], inheritEnvironment: Bool = false, input: String? = nil,
                               timeoutSeconds: Double = 120) throws(ProcessError) -> ProcessOutput {
        let output = try run(executable, arguments, as: user, inNamespace: namespace, environment: environment,
                             inheritEnvironment: inheritEnvironment, input: input, timeoutSeconds: timeoutSeconds)
        guard output.succeeded else {
            throw .failed(command: ([executable] + arguments).joined(separator: " "),
                          exitCode: output.exitCode, stderr: output.stderr)
        }
        return output
    }

    /// Starts a long-running child that outlives this call (background
    /// clients, processes in namespaces). Its output is appended to `logFile`.
    public static func spawn(_ executable: String, _ arguments: [String], as user: OSUser? = nil,
                             inNamespace namespace: String? = nil,
                             environment: [String: String] = [:], inheritEnvironment: Bool = false,
                             logFile: String? = nil) throws(ProcessError) -> ChildProcess {
        let (path, argv) = try commandLine(executable, arguments, as: user, inNamespace: namespace)
        let display = ([executable] + arguments).joined(separator: " ")
        // Never through a link: the log may lie in a directory another user can write.
        let output = logFile.map { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600) } ?? open("/dev/null", O_WRONLY | O_CLOEXEC)
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(output); close(input) }
        guard output >= 0, input >= 0 else { throw .launchFailed(command: display, reason: "cannot open \(logFile ?? "/dev/null")") }
        return try ChildProcess.spawn(path: path, arguments: argv,
                                      environment: ChildEnvironment.make(environment, inheriting: inheritEnvironment),
                                      stdin: input, stdout: output, stderr: output, display: display)
    }

    /// Starts a child that outlives this process and its terminal: a session
    /// of its own (no controlling terminal), `input` on its standard input
    /// (a pipe, so a secret never appears in its arguments), `passing` as its
    /// descriptor 3, output appended to `logFile`. The caller may reap it or not.
    public static func spawnDetached(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                                     input: [UInt8], passing descriptor: Int32, logFile: String) throws(ProcessError) -> ChildProcess {
        let path = try resolve(executable)
        let display = ([executable] + arguments).joined(separator: " ")
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw .launchFailed(command: display, reason: String(cString: strerror(errno))) }
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        let output = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        defer { close(pipeEnds[0]); if output >= 0 { close(output) } }
        guard output >= 0 else {
            close(pipeEnds[1])
            throw .launchFailed(command: display, reason: "cannot open \(logFile): \(String(cString: strerror(errno)))")
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(path: path, arguments: arguments, environment: ChildEnvironment.make(environment),
                                           stdin: pipeEnds[0], stdout: output, stderr: output, display: display,
                                           extra: descriptor, newSession: true)
        } catch {
            close(pipeEnds[1])
            throw error
        }
        // A pipe holds far more than this; the child reads it at once.
        _ = input.withUnsafeBytes { Glibc.write(pipeEnds[1], $0.baseAddress, $0.count) }
        close(pipeEnds[1])
        return child
    }

    /// Resolves the program on PATH, wraps it in `runuser` when another
    /// user is asked for, and in `ip netns exec` for a network namespace.
    static func commandLine(_ executable: String, _ arguments: [String], as user: OSUser?,
                            inNamespace namespace: String? = nil) throws(ProcessError) -> (String, [String]) {
        var path = try resolve(executable)
        var argv = arguments
        if let user, !user.isCurrent {
            guard OSUser.isRoot else { throw .cannotSwitchUser(to: user.name) }
            argv = ["-u", user.name, "--", path] + argv
            path = try resolve("runuser")
        }
        if let namespace {
            argv = ["netns", "exec", namespace, path] + argv
            path = try resolve("ip")
        }
        return (path, argv)
    }

    public static func resolve(_ executable: String) throws(ProcessError) -> String {
        if executable.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: executable) else { throw .notFound(executable) }
            return executable
        }
        // Root never takes a program from the caller's PATH: a directory on it may belong to someone else.
        let path = OSUser.isRoot ? ChildEnvironment.systemPath : ProcessInfo.processInfo.environment["PATH"] ?? ChildEnvironment.systemPath
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw .notFound(executable)
    }
}

/// A child started with posix_spawn; the owner waits for it or stops it.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    init(pid: pid_t) { self.pid = pid }

    static func spawn(path: String, arguments: [String], environment env: [String: String],
                      stdin: Int32, stdout: Int32, stderr: Int32, display: String,
                      extra: Int32? = nil, newSession: Bool = false) throws(ProcessError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // One more descriptor as 3 (dup2 clears close-on-exec on the copy), then nothing else.
        if let extra { posix_spawn_file_actions_adddup2(&actions, extra, 3) }
        pgsw_spawn_close_from(&actions, extra == nil ? 3 : 4)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | (newSession ? pgsw_spawn_setsid_flag() : 0))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw .launchFailed(command: display, reason: String(cString: strerror(result)))
        }
        return ChildProcess(pid: pid)
    }

    /// The exit code (128 + signal for a killed child), or nil on timeout.
    /// Woken by the child's exit itself (a pidfd), not by polling: a short
    /// child costs its own run time and nothing more.
    public func wait(timeoutSeconds: Double) -> Int32? {
        if let status = poll() { return status }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        let exit = pgsw_pidfd_open(pid)
        guard exit >= 0 else { return waitBySleeping(until: deadline) }
        defer { close(exit) }
        // Reaped by another thread just before the pidfd was opened: its status is kept.
        if let status = poll() { return status }
        while true {
            let milliseconds = Int32(min(max(0, deadline.timeIntervalSinceNow * 1000).rounded(.up), Double(Int32.max)))
            var entry = pollfd(fd: exit, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&entry, 1, milliseconds)
            let failure = errno
            if let status = poll() { return status }
            if ready == 0 || Date() >= deadline { return nil }
            if ready < 0 && failure != EINTR { return waitBySleeping(until: deadline) }
        }
    }

    /// Kernels without pidfd_open: short sleeps, growing to 10 ms.
    private func waitBySleeping(until deadline: Date) -> Int32? {
        var pause: UInt32 = 200
        while true {
            if let status = poll() { return status }
            if Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// SIGTERM, then SIGKILL after `graceSeconds`; always reaps.
    public func terminate(graceSeconds: Double = 3) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if wait(timeoutSeconds: graceSeconds) == nil {
            kill(pid, SIGKILL)
            _ = wait(timeoutSeconds: 5)
        }
    }

    private func poll() -> Int32? {
        lock.lock(); defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        guard result == pid else { return result < 0 ? (status ?? -1) : nil }
        let low = raw & 0x7f
        status = low == 0 ? (raw >> 8) & 0xff : 128 + low
        return status
    }
}

/// An unlinked temporary file a child reads from or writes into.
private final class CaptureFile {
    let fd: Int32

    init?() {
        var template = Array("/tmp/pgsw-capture-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        lseek(fd, 0, SEEK_SET)
    }

    /// At most `HostFile.readLimit` bytes: a child (or a process it left
    /// behind holding the file) may write without end.
    func bytes() -> [UInt8] {
        lseek(fd, 0, SEEK_SET)
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count < HostFile.readLimit {
            let count = read(fd, &buffer, min(buffer.count, HostFile.readLimit - data.count))
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }
}
