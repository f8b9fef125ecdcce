import Foundation
import HostIO
import Testing

/// Waiting for a child: its exit code, the signal that killed it, and the
/// deadline, whichever way the wait is woken.
struct ChildProcessWaitTests {
    @Test func theExitCodeComesBackAsTheChildEnds() throws {
        #expect(try ProcessRunner.run("sh", ["-c", "exit 3"]).exitCode == 3)
        #expect(try ProcessRunner.run("true", []).exitCode == 0)
    }

    @Test func aChildStillRunningAtTheDeadlineIsNotReported() throws {
        let child = try ProcessRunner.spawn("sleep", ["30"])
        #expect(child.wait(timeoutSeconds: 0.1) == nil)
        #expect(child.isRunning)
        child.terminate(graceSeconds: 5)
        #expect(!child.isRunning)
    }

    @Test func aKilledChildReportsItsSignal() throws {
        let child = try ProcessRunner.spawn("sleep", ["30"])
        kill(child.pid, SIGKILL)
        #expect(child.wait(timeoutSeconds: 10) == 128 + SIGKILL)
    }

    @Test func aChildThatIsAlreadyGoneIsReapedOnce() throws {
        let child = try ProcessRunner.spawn("true", [])
        let first = child.wait(timeoutSeconds: 10)
        #expect(first == 0)
        #expect(child.wait(timeoutSeconds: 0) == 0, "the status is kept once reaped")
    }
}
