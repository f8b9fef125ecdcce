import ClusterFacts
import Enforcement
import Foundation
import HostIO

/// The revert watchdog from the run's side: armed before phase B's rules go
/// live, given the countdown's deadline, told to stand down once the answer
/// is in (docs/DESIGN.md, "The keep question and its watchdog").
extension EffectRunner {
    func armWatchdog(seconds: Int) -> Performed {
        guard let executable = context.watchdogExecutable else {
            return Performed(.watchdogFailed("this process cannot start pg-ssl-wizard's watchdog (no pg-ssl-wizard executable)"))
        }
        guard let lock, lock.descriptor >= 0 else { return Performed(.watchdogFailed("the run holds no lock to hand over")) }
        let nonce = HostFile.unpredictableSuffix()
        let channel = WatchdogChannel(directory: stateDirectory, run: context.stamp, nonce: nonce)
        channel.clear()
        let revertAt = Date().addingTimeInterval(Double(seconds))
        // The connection as libpq resolved it here (PGHOST, PGPASSFILE, a service...): the watchdog gets no environment of ours.
        let orders = RevertWatchdog.Orders(run: context.stamp, stateDirectory: stateDirectory.path, conninfo: "",
                                           overrides: connection.resolvedKeywords.map { [$0.name, $0.value] },
                                           nonce: nonce, revertAt: revertAt, armedBy: getpid(), armedByStartTicks: ProcessIdentity.current?.startTicks,
                                           systemIdentifier: context.server.systemIdentifier, dataDirectory: context.server.dataDirectory,
                                           sslTCP: context.ownTransport == .tcp)
        // A copy of the lock's descriptor: the watchdog holds the run when this process is gone.
        let copy = fcntl(lock.descriptor, F_DUPFD_CLOEXEC, 10)
        guard copy >= 0 else { return Performed(.watchdogFailed(String(cString: strerror(errno)))) }
        defer { close(copy) }
        let child: ChildProcess
        do {
            child = try ProcessRunner.spawnDetached(executable, ["watchdog"], environment: WatchdogEnvironment.connecting(),
                                                    input: try RevertWatchdog.encode(orders), passing: copy,
                                                    logFile: stateDirectory.watchdogLogFile(run: context.stamp))
        } catch {
            return Performed(.watchdogFailed(operatorMessage(for: error)))
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if case .armed(let pid, _) = channel.lastReport() {
                watchdogChild = child
                return Performed(.watchdogArmed(WatchdogArm(pid: pid, revertAt: revertAt, armedBy: getpid(), nonce: nonce,
                                                            startTicks: ProcessIdentity.of(pid)?.startTicks,
                                                            armedByStartTicks: ProcessIdentity.current?.startTicks)),
                                 after: ["watchdog_pid": String(pid)])
            }
            if !child.isRunning { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        child.terminate()
        return Performed(.watchdogFailed("the watchdog did not report itself armed (see \(stateDirectory.watchdogLogFile(run: context.stamp)))"))
    }

    /// The question is asked now: the watchdog's deadline becomes `seconds`
    /// from now. A watchdog that is gone, or that already put the file back,
    /// is answered for: nobody is guarding the rules, so they go.
    func startKeepCountdown(seconds: Int, state: RunState) -> Performed {
        guard let arm = state.watchdog else { return Performed(state.asksKeep ? .revertChanges : .keepChanges) }
        let channel = WatchdogChannel(directory: stateDirectory, run: context.stamp, nonce: arm.nonce)
        if let finished = Self.finishedReport(channel) { return Performed(finished) }
        guard RevertWatchdog.isRunning(arm) else { return Performed(.revertChanges) }
        let revertAt = Date().addingTimeInterval(Double(seconds))
        do {
            try channel.send(.deadline(revertAt))
        } catch {
            return Performed(.revertChanges)
        }
        return Performed(.keepCountdownStarted(revertAt: revertAt))
    }

    /// Tells the watchdog to stand down and waits until it has (or turns out
    /// to have put the file back already).
    func standDownWatchdog(state: RunState) -> Performed {
        guard let arm = state.watchdog else { return Performed(.watchdogStoodDown) }
        let channel = WatchdogChannel(directory: stateDirectory, run: context.stamp, nonce: arm.nonce)
        if let finished = Self.finishedReport(channel) { return Performed(finished) }
        try? channel.send(.standDown)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let finished = Self.finishedReport(channel) {
                _ = watchdogChild?.wait(timeoutSeconds: 5)
                return Performed(finished)
            }
            if !RevertWatchdog.isRunning(arm) { return Performed(.watchdogStoodDown) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return Performed(.watchdogFailed("watchdog pid \(arm.pid) did not stand down within 30 s"))
    }

    /// The watchdog's last word, as the run's event; nil while it is armed.
    static func finishedReport(_ channel: WatchdogChannel) -> RunEvent? {
        switch channel.lastReport() {
        case .stoodDown: return .watchdogStoodDown
        case .reverted: return .watchdogReverted(failure: nil)
        case .revertFailed(let why): return .watchdogReverted(failure: why)
        case .armed, nil: return nil
        }
    }
}
