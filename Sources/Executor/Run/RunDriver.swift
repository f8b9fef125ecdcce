import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PostgresClient

/// Runs the state machine against the real server: each effect is
/// announced in the journal (with its before-fingerprint), carried out,
/// answered by an event (journalled with the after-fingerprint) and
/// reduced. The run record is saved before every effect that changes
/// something, when a step is verified and whenever the driver stops; other
/// answers of effects that only look (`Effect.onlyObserves`) ride along
/// with the next save. A kill at any point leaves a record whose stage
/// re-issues the interrupted effect or a look before it, never an earlier
/// change, and every effect is safe to repeat.
public final class RunDriver: @unchecked Sendable {
    public private(set) var record: RunRecord
    public let runner: EffectRunner
    let store: RunStore
    let journal: Journal
    let lock: RunLock
    /// Called after every event: progress for the CLI, the log pane for the TUI.
    public var observer: (@Sendable (RunEvent, RunState) -> Void)?

    public var state: RunState { record.state }
    public var journalPath: String { journal.path }

    init(record: RunRecord, runner: EffectRunner, store: RunStore, journal: Journal, lock: RunLock) {
        self.record = record
        self.runner = runner
        self.store = store
        self.journal = journal
        self.lock = lock
        runner.journal = journal
        runner.lock = lock
    }

    /// The run as the watchdog finds it once it has put pg_hba.conf back and
    /// nobody else holds the run: its inherited lock, no effect pending.
    public static func adopt(_ saved: RunRecord, runner: EffectRunner, directory: StateDirectory, journal: Journal,
                             lock: RunLock) throws -> RunDriver {
        // No file contents needed: only the report is left to write (and the staged candidate may be gone).
        RunDriver(record: saved, runner: runner, store: RunStore(directory), journal: journal, lock: lock)
    }

    /// A new run of `plan`: the lock, the staged candidates, the cluster as it
    /// was, the confirmation through `through`; nothing runs until `run()`.
    public static func start(plan: Plan, context: RunContext, connection: Connection, directory: StateDirectory,
                             through: StepName, clientNames: [String], interactive: Bool = false,
                             keepSeconds: Int = 60, confirmByCommand: Bool = false) throws -> RunDriver {
        let lock = try RunLock.acquire(directory)
        let store = RunStore(directory)
        if let last = try store.latest(), last.rolledBackAt == nil {
            if last.state.isBeingRolledBack { throw RunError.rollbackUnfinished(run: last.run) }
            if !last.state.isFinished { throw RunError.runNotFinished(run: last.run) }
        }
        let run = context.stamp
        var staged: [String: String] = [:]
        var hashes: [String: String] = [:]
        for write in plan.run.hbaWrites {
            // Same directory and owner as the file, 0600: no more exposed than the file itself.
            let path = FileNames.stagedCandidate(of: write.path, run: run)
            let owner = try ServerFileInstaller.ownerAndMode(write.path)?.owner
            try AtomicFileWriter(stamp: run).write(write.contents, to: path, mode: 0o600, owner: owner, backup: nil)
            staged[write.path] = path
            hashes[write.path] = FileDigest.sha256(write.contents)
        }
        let before = try EvidenceReader.read(connection, server: context.server)
        let state = RunState(plan: plan.run, interactive: interactive, keepSeconds: keepSeconds, confirmByCommand: confirmByCommand)
        var record = RunRecord(run: run, startedAt: Date(), connection: context.target.redactedDescription, state: state,
                               staged: staged, candidateHashes: hashes, before: before, clientNames: clientNames, port: context.server.port)
        record.options = RunOptions(graceSeconds: context.graceSeconds, standbyWaitSeconds: context.standbyWaitSeconds)
        let journal = try Journal.open(directory, run: run)
        try journal.note("run_started", ["through": through.rawValue, "connection": record.connection,
                                         "steps": StepName.allCases.map { "\($0.rawValue)=\(plan.run.initial[$0]?.rawValue ?? "satisfied")" }.joined(separator: ",")]
                                            .merging(record.options?.journalDetail ?? [:]) { $1 })
        let driver = RunDriver(record: record, runner: EffectRunner(context: context, connection: connection, stateDirectory: directory),
                               store: store, journal: journal, lock: lock)
        try driver.send(.confirmed(through: through))
        return driver
    }

    /// The latest unfinished run of this cluster, ready to continue where it stopped.
    public static func resume(context: (String) -> RunContext, connection: Connection, directory: StateDirectory) throws -> RunDriver {
        let lock = try RunLock.acquire(directory)
        let store = RunStore(directory)
        guard let saved = try store.latest() else { throw RunError.noRun(stateDirectory: directory.path) }
        if saved.rolledBackAt != nil { throw RunError.runRolledBack(run: saved.run) }
        // Only `rollback` takes up a rollback that was cut short: a "keep" or a step must not run in its middle.
        if saved.state.isBeingRolledBack { throw RunError.rollbackUnfinished(run: saved.run) }
        if case .finished(let outcome) = saved.state.stage {
            throw RunError.runAlreadyFinished(run: saved.run, outcome: AuditReport.describe(outcome))
        }
        let record = try RunStore.withContents(saved)
        // The run goes on with the options it was started with, not today's defaults.
        var resumed = context(record.run)
        if let options = record.options {
            resumed.graceSeconds = options.graceSeconds
            resumed.standbyWaitSeconds = options.standbyWaitSeconds
        }
        let journal = try Journal.open(directory, run: record.run)
        try journal.note("run_resumed", ["stage": "\(record.state.stage)", "grace_seconds": String(resumed.graceSeconds),
                                         "standby_wait_seconds": String(resumed.standbyWaitSeconds)])
        let driver = RunDriver(record: record, runner: EffectRunner(context: resumed, connection: connection, stateDirectory: directory),
                               store: store, journal: journal, lock: lock)
        driver.pending = record.state.entryEffects
        return driver
    }

    /// This cluster's latest run, finished or not, opened to be rolled back
    /// (the lock taken); `expectedRun` guards a fleet against undoing a run it did not make.
    public static func openForRollback(context: (String) -> RunContext, connection: Connection, directory: StateDirectory,
                                       expectedRun: String?) throws -> RunDriver {
        let lock = try RunLock.acquire(directory)
        do {
            let store = RunStore(directory)
            guard let record = try store.latest() else { throw RunError.noRun(stateDirectory: directory.path) }
            if let expectedRun, record.run != expectedRun { throw RunError.notTheLatestRun(asked: expectedRun, latest: record.run) }
            let journal = try Journal.open(directory, run: record.run)
            return RunDriver(record: record, runner: EffectRunner(context: context(record.run), connection: connection, stateDirectory: directory),
                             store: store, journal: journal, lock: lock)
        } catch {
            lock.release()
            throw error
        }
    }

    var pending: [Effect] = []

    private let stopFlag = StopFlag()

    /// Asks `run()` to return before its next effect (the wizard's quit while
    /// applying). The stage is saved, so `resume` re-issues that effect.
    public func requestStop() { stopFlag.set(true) }

    /// The answer to "keep these changes?" given from outside the run that
    /// asked it (`pg-ssl-wizard keep`, or a wizard reopened at the question):
    /// the countdown is not started again.
    public func answerKeep(_ keep: Bool) throws {
        pending = []
        try send(keep ? .keepChanges : .revertChanges)
    }

    /// A revert the watchdog made while nobody held the run, recorded now.
    public func recordWatchdogRevert(failure: String?) throws {
        pending = []
        try send(.watchdogReverted(failure: failure))
    }

    /// Carries out effects until the run finishes, waits for the operator, or is asked to stop.
    @discardableResult
    public func run() throws -> RunState {
        // A request is consumed when honoured, so one made just as run() starts is not lost.
        // A throw on the way out still leaves the looks answered so far on disk; the normal way out saves below and reports a failure.
        defer { try? saveIfBehind() }
        while !pending.isEmpty && !stopFlag.take() {
            let effect = pending.removeFirst()
            // A change starts only from a saved stage: a kill during it re-issues it, never an earlier change.
            if !effect.onlyObserves { try saveIfBehind() }
            CrashPoint.reach("before:" + JournalDescription.effect(effect).name)
            try journal.record(effect, before: runner.fingerprint(effect, plan: record.state.plan))
            let performed = runner.perform(effect, record: record)
            record.keep(performed.evidence)
            try send(performed.event, after: performed.after, backup: performed.backup, saving: !effect.onlyObserves)
        }
        try saveIfBehind()
        return record.state
    }

    /// Whether the record on disk lags behind the state (answers of looks not yet saved).
    private var unsaved = false

    private func saveIfBehind() throws {
        guard unsaved else { return }
        try store.save(record)
        unsaved = false
    }

    /// One event in (from an effect, or the operator in the TUI): journalled,
    /// reduced and saved; the answer of a look (`saving: false`) is saved
    /// with the next change, or when it verifies a step, or when the run closes or stops.
    public func send(_ event: RunEvent, after: [String: String]? = nil, backup: String? = nil, saving: Bool = true) throws {
        try journal.record(event, after: after, backup: backup)
        let previous = record.state
        pending += record.state.reduce(event)
        noteStepTimes(from: previous, to: record.state, at: Date())
        if previous.isBeingRolledBack && !record.state.isBeingRolledBack {
            record.rolledBackAt = Date()
            try journal.note("rollback_finished", ["problems": (record.state.operatorRollback?.problems ?? []).joined(separator: "; ")])
        }
        let closed = record.state.isClosed
        if closed { dropStagedCandidates() }
        unsaved = true
        // A verified step is a milestone the operator sees: it is on disk before anything else happens.
        let stepVerified = StepName.allCases.contains { previous.status($0) != .verified && record.state.status($0) == .verified }
        if saving || closed || stepVerified { try saveIfBehind() }
        if closed {
            lock.release()
            journal.close()
        }
        observer?(event, record.state)
        for step in StepName.allCases where previous.status(step) != .verified && record.state.status(step) == .verified {
            CrashPoint.reach("after:" + step.rawValue)
        }
    }

    /// The moment each step started applying and ended, for its duration in
    /// the report and on the result screen (the reducer's state has no clock).
    func noteStepTimes(from previous: RunState, to current: RunState, at now: Date) {
        for step in StepName.allCases where previous.status(step) != current.status(step) {
            switch current.status(step) {
            case .applying:
                if record.milestones.stepStarted?[step.rawValue] == nil { record.milestones.stepStarted = (record.milestones.stepStarted ?? [:]).merging([step.rawValue: now]) { $1 } }
            case .verified, .failed:
                record.milestones.stepEnded = (record.milestones.stepEnded ?? [:]).merging([step.rawValue: now]) { $1 }
            default:
                break
            }
        }
    }

    /// The staged candidates are not needed once the run ends or is rolled
    /// back (the live file and the backup remain).
    func dropStagedCandidates() {
        for path in record.staged.values { HostFile.remove(path) }
        if record.state.isFinished { record.milestones.finishedAt = record.milestones.finishedAt ?? Date() }
    }

    public var connection: Connection { runner.connection }
}

/// Set from the wizard's input thread, read by the thread running effects.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set(_ newValue: Bool) { lock.lock(); value = newValue; lock.unlock() }
    /// Whether a stop was asked for, clearing the request.
    func take() -> Bool { lock.lock(); defer { value = false; lock.unlock() }; return value }
}
