import Foundation

/// A thread of this process blocked opening a FIFO for writing, so a test
/// can tell whether the code under test opened that FIFO for reading (the
/// writer is then let through). `waiting` is known only once the kernel
/// shows the thread asleep in the open (`asleepInAFIFOOpen`), never after a
/// guessed delay.
public final class WaitingFIFOWriter: @unchecked Sendable {
    private let path: String
    private let opened = DispatchSemaphore(value: 0)

    /// Starts the writer and returns once it is asleep in its open.
    public init(_ path: String) throws {
        self.path = path
        let opened = opened
        let named = DispatchSemaphore(value: 0)
        let thread = ThreadName()
        Thread.detachNewThread {
            // Its own task's name (/proc/thread-self is PID/task/TID), so that another test's writer is not taken for it.
            thread.task = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")).map { "/proc/" + $0 }
            named.signal()
            let fd = open(path, O_WRONLY)
            opened.signal()
            if fd >= 0 { close(fd) }
        }
        named.wait()
        guard let task = thread.task else { throw TestEnvironment.Missing(description: "no /proc/thread-self") }
        let deadline = Date().addingTimeInterval(10)
        while !Self.asleepInAFIFOOpen((try? String(contentsOfFile: task + "/wchan", encoding: .utf8)) ?? "") {
            guard Date() < deadline else { throw TestEnvironment.Missing(description: "the FIFO writer never blocked in its open") }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }

    /// Whether something opened the FIFO for reading (the writer got through) within `seconds`.
    public func gotThrough(within seconds: Double) -> Bool {
        opened.wait(timeout: .now() + seconds) == .success
    }

    /// Lets the writer go, if nothing else did.
    public func release() {
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        _ = opened.wait(timeout: .now() + 5)
        if reader >= 0 { close(reader) }
    }

    private final class ThreadName: @unchecked Sendable { var task: String? }

    /// The kernel's names for that sleep: `wait_for_partner` (5.9 and later,
    /// with a suffix on some builds), `pipe_wait` before, or the open itself.
    static func asleepInAFIFOOpen(_ wchan: String) -> Bool {
        ["wait_for_partner", "pipe_wait", "fifo_open"].contains { wchan.hasPrefix($0) }
    }
}
