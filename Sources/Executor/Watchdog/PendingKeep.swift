import Enforcement
import Foundation
import HostIO

/// A run whose phase B rules went live under a watchdog and that is not
/// closed yet, as `status`, `resume`, `keep` and `rollback` find it in the
/// state directory.
public struct PendingKeep: Sendable {
    public enum Guard: Equatable, Sendable {
        /// The watchdog runs and will put pg_hba.conf back at `revertAt` (+ grace).
        case armed(pid: Int32, revertAt: Date)
        /// Nothing guards the rules: the watchdog is gone without a word.
        case unguarded(pid: Int32)
        /// The watchdog put pg_hba.conf back (nil) or tried to and failed;
        /// the run has not recorded it yet.
        case reverted(failure: String?)
    }

    public let record: RunRecord
    public let arm: WatchdogArm
    public let guarding: Guard
    public let channel: WatchdogChannel

    /// The latest run of the cluster when it has a watchdog's question open.
    public static func find(_ directory: StateDirectory) -> PendingKeep? {
        guard let record = try? RunStore(directory).latest(), !record.state.isFinished, record.rolledBackAt == nil,
              !record.state.isBeingRolledBack,
              let arm = record.state.watchdog else { return nil }
        let channel = WatchdogChannel(directory: directory, run: record.run, nonce: arm.nonce)
        let report = channel.lastReport()
        let guarding: Guard
        switch report {
        case .reverted?: guarding = .reverted(failure: nil)
        case .revertFailed(let why)?: guarding = .reverted(failure: why)
        case .armed(_, let at)? where RevertWatchdog.isRunning(arm): guarding = .armed(pid: arm.pid, revertAt: at)
        default: guarding = RevertWatchdog.isRunning(arm) ? .armed(pid: arm.pid, revertAt: arm.revertAt) : .unguarded(pid: arm.pid)
        }
        return PendingKeep(record: record, arm: arm, guarding: guarding, channel: channel)
    }

    /// The wizard or `apply` that armed the watchdog still runs (that very process) and owns the question.
    public var armerIsAlive: Bool { arm.armedBy != getpid() && RevertWatchdog.armerIsAlive(arm) }

    /// Where "keep" can still be answered: at the question, or while a
    /// "keep" already given waits for the watchdog to stand down.
    public var canKeep: Bool {
        switch record.state.stage {
        case .awaitingKeep: return true
        case .disarmingWatchdog: return record.state.keepAnswer == true
        default: return false
        }
    }

    /// What must hold before a watchdog is told to stand down for "keep":
    /// the run is at the question, its staged candidate is there and
    /// unchanged, and the live pg_hba.conf is still that candidate (not a file
    /// the watchdog had begun to put back).
    public func checkKeepable() throws {
        guard canKeep else { throw RunError.notAtKeepQuestion(run: record.run, stage: "\(record.state.stage)") }
        let withContents = try RunStore.withContents(record)
        for write in withContents.state.plan.hbaWrites where HostFile.sha256(write.path) != FileDigest.sha256(write.contents) {
            throw RunError.candidateNotLive(path: write.path)
        }
    }

    public var description: String {
        switch guarding {
        case .armed(let pid, let revertAt): return "run \(record.run): " + KeepWording.armed(pid: pid, revertAt: revertAt)
        case .unguarded(let pid): return "run \(record.run): " + KeepWording.unconfirmed(pid: pid)
        case .reverted(let failure): return "run \(record.run): " + KeepWording.reverted(failure: failure)
        }
    }

    /// Tells a running watchdog `command` and waits until it has exited;
    /// its last report. A watchdog already gone is not waited for.
    @discardableResult
    public func tell(_ command: WatchdogChannel.Command, waitSeconds: Double = 120) throws -> WatchdogChannel.Report? {
        guard case .armed = guarding else { return channel.lastReport() }
        try channel.send(command)
        let deadline = Date().addingTimeInterval(waitSeconds)
        while Date() < deadline && RevertWatchdog.isRunning(arm) { Thread.sleep(forTimeInterval: 0.01) }
        return channel.lastReport()
    }
}
