import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PlanningInputs
import PostgresClient

/// The one way a run is opened, by `apply`, `resume`, `keep`, `rollback`
/// and the wizard: the connection, the cluster as it is now, its state
/// directory, and the options a new run is carried out with; then a new run
/// started, the latest one resumed, or the latest one rolled back. The
/// subcommands and the wizard only parse and call, so they cannot drift.
public struct OpenedCluster: @unchecked Sendable {
    public let target: ConnectionTarget
    public let connection: Connection
    public let snapshot: ClusterSnapshot
    public let directory: StateDirectory
    /// `--grace` and `--standby-wait` for a run started here; a resumed run keeps those it was started with.
    public let options: RunOptions

    /// For a run that exists: resume, keep, rollback.
    public static func open(_ target: ConnectionTarget, options: RunOptions = .defaults) throws -> OpenedCluster {
        let connection = try Connection.connect(target)
        let snapshot = try ServerInspector(connection: connection).snapshot()
        return try OpenedCluster(target: target, connection: connection, snapshot: snapshot, options: options)
    }

    /// For a new run: the planning inputs, read on the same connection (their snapshot is the cluster's).
    public static func openForPlanning(_ target: ConnectionTarget, planOptions: PlanOptions, certificates: CertificateChoice,
                                       options: RunOptions) throws -> (cluster: OpenedCluster, input: PlanningInput) {
        let connection = try Connection.connect(target)
        let input = try PlanningInputReader.read(target, connection: connection, options: planOptions, certificates: certificates)
        return (try OpenedCluster(target: target, connection: connection, snapshot: input.snapshot, options: options), input)
    }

    init(target: ConnectionTarget, connection: Connection, snapshot: ClusterSnapshot, options: RunOptions) throws {
        self.target = target
        self.connection = connection
        self.snapshot = snapshot
        self.options = options
        directory = try StateDirectory.forCluster(systemIdentifier: snapshot.server.systemIdentifier)
    }

    /// The context a run of this cluster carries out its effects with.
    public func context(run: String) -> RunContext {
        RunContext(target: target, snapshot: snapshot, stamp: run, graceSeconds: options.graceSeconds,
                   standbyWaitSeconds: options.standbyWaitSeconds)
    }

    /// Names clients use to reach the server: the verify-full connection strings are written for them.
    public var clientNames: [String] { ServerSSLFiles.hostNames() + ServerSSLFiles.from(snapshot).listenNames }

    /// A new run of `plan`, confirmed through `through` (the lock taken); nothing runs until `run()`.
    public func startRun(_ plan: Plan, through: StepName, interactive: Bool = false, keepSeconds: Int = 60,
                         confirmByCommand: Bool = false) throws -> RunDriver {
        try RunDriver.start(plan: plan, context: context(run: AtomicFileWriter.timestamp()), connection: connection, directory: directory,
                            through: through, clientNames: clientNames, interactive: interactive, keepSeconds: keepSeconds,
                            confirmByCommand: confirmByCommand)
    }

    /// The cluster's latest run, taken up where it stopped (the lock taken).
    public func resumeLatestRun() throws -> RunDriver {
        try RunDriver.resume(context: context(run:), connection: connection, directory: directory)
    }

    /// `resume`: the latest run, unless it waits for "keep" (only `keep` or
    /// `rollback` moves such a run on); a revert its watchdog made while
    /// nobody held the run is recorded first.
    public func resumeInterruptedRun() throws -> RunDriver {
        if let pending = PendingKeep.find(directory) {
            if case .reverted(let failure) = pending.guarding, !pending.armerIsAlive {
                let driver = try resumeLatestRun()
                try driver.recordWatchdogRevert(failure: failure)
                return driver
            }
            throw RunError.awaitingKeep(pending.description)
        }
        return try resumeLatestRun()
    }

    /// What `keep` found: the run kept and ready to go on, or the watchdog had already put pg_hba.conf back (recorded).
    public enum KeepOutcome {
        case kept(RunDriver)
        case tooLate(run: String)
    }

    /// `keep`: the run waiting for "keep these changes?" has its watchdog
    /// stand down and goes on; everything is checked before it stands down.
    public func keepWaitingRun() throws -> KeepOutcome {
        guard let pending = PendingKeep.find(directory) else { throw RunError.nothingToKeep }
        if pending.armerIsAlive { throw RunError.keepBelongsToTheWizard(pid: pending.arm.armedBy) }
        if case .reverted(let failure) = pending.guarding { return recordTooLate(pending, failure: failure) }
        try pending.checkKeepable()
        if case .reverted? = try pending.tell(.standDown) { return recordTooLate(pending, failure: nil) }
        let driver = try resumeLatestRun()
        // At the question: the answer; a "keep" already given: its stand-down again, then on.
        if case .awaitingKeep = driver.state.stage { try driver.answerKeep(true) }
        return .kept(driver)
    }

    /// The watchdog had put pg_hba.conf back: the run records it.
    private func recordTooLate(_ pending: PendingKeep, failure: String?) -> KeepOutcome {
        if let driver = try? resumeLatestRun() {
            try? driver.recordWatchdogRevert(failure: failure)
            _ = try? driver.run()
        }
        return .tooLate(run: pending.record.run)
    }

    /// `rollback`: the latest run undone and verified. A run waiting for
    /// "keep" has its watchdog put pg_hba.conf back first (and record it);
    /// then the rest goes back through the run's state machine.
    public func rollBackLatestRun(expectedRun: String?) throws -> RunRollback.Result {
        if let pending = PendingKeep.find(directory) {
            if let expectedRun, pending.record.run != expectedRun { throw RunError.notTheLatestRun(asked: expectedRun, latest: pending.record.run) }
            if pending.armerIsAlive { throw RunError.keepBelongsToTheWizard(pid: pending.arm.armedBy) }
            _ = try pending.tell(.revertNow)
        }
        let driver = try RunDriver.openForRollback(context: context(run:), connection: connection, directory: directory, expectedRun: expectedRun)
        return try driver.rollBack()
    }
}
