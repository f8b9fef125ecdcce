import Enforcement
import Foundation

/// A run whose phase B rules are live and wait for "keep", as `status`,
/// `resume`, `keep` and `rollback` find it in the state directory.
public struct PendingKeep: Sendable {
    public enum Guard: Equatable, Sendable {
        /// The watchdog runs and will put pg_hba.conf back at `revertAt` (+ grace).
        case armed(pid: Int32, revertAt: Date)
        /// Nothing guards the rules: the watchdog is gone.
        case unguarded(pid: Int32)
    }

    public let record: RunRecord
    public let arm: WatchdogArm
    public let guarding: Guard
    public let channel: WatchdogChannel

    /// The latest run of the cluster when it waits for "keep" (or its watchdog's answer).
    public static func find(_ directory: StateDirectory) -> PendingKeep? {
        guard let record = try? RunStore(directory).latest(), !record.state.isFinished, record.rolledBackAt == nil,
              let arm = record.state.watchdog else { return nil }
        let channel = WatchdogChannel(directory: directory, run: record.run, nonce: arm.nonce)
        let revertAt: Date
        if case .armed(_, let at)? = channel.lastReport() { revertAt = at } else { revertAt = arm.revertAt }
        let guarding: Guard = RevertWatchdog.isRunning(arm.pid) ? .armed(pid: arm.pid, revertAt: revertAt) : .unguarded(pid: arm.pid)
        return PendingKeep(record: record, arm: arm, guarding: guarding, channel: channel)
    }

    /// The wizard or `apply` that armed the watchdog still runs and owns the question.
    public var armerIsAlive: Bool { WatchdogChannel.isWizardProcess(arm.armedBy) && arm.armedBy != getpid() }

    public var description: String {
        switch guarding {
        case .armed(let pid, let revertAt): return "run \(record.run): " + KeepWording.armed(pid: pid, revertAt: revertAt)
        case .unguarded(let pid): return "run \(record.run): " + KeepWording.unconfirmed(pid: pid)
        }
    }

    /// Tells a running watchdog `command` and waits until it has exited;
    /// its last report. A watchdog already gone is not waited for.
    @discardableResult
    public func tell(_ command: WatchdogChannel.Command, waitSeconds: Double = 120) throws -> WatchdogChannel.Report? {
        guard case .armed(let pid, _) = guarding else { return channel.lastReport() }
        try channel.send(command)
        let deadline = Date().addingTimeInterval(waitSeconds)
        while Date() < deadline && RevertWatchdog.isRunning(pid) { Thread.sleep(forTimeInterval: 0.01) }
        return channel.lastReport()
    }
}
