import ClusterFacts
import Enforcement
import Foundation
import PostgresClient

/// The revert watchdog's own process (`pg-ssl-wizard watchdog`, started by
/// the run with its orders on standard input and the run's lock as
/// descriptor 3, in a session of its own). It waits for the deadline or a
/// message; at the deadline, or on `revert-now`, it puts pg_hba.conf back
/// from the run's journalled backup, reloads and proves the reload with the
/// same effects a rollback uses, journalling each; when the process that
/// armed it is gone it also closes the run through the state machine
/// (docs/DESIGN.md, "The keep question and its watchdog").
public enum RevertWatchdog {
    /// What the run tells its watchdog. The connection string (which may
    /// hold a password) comes through a pipe, never the arguments.
    public struct Orders: Codable, Sendable {
        public var run: String
        public var stateDirectory: String
        public var conninfo: String
        public var overrides: [[String]]
        public var nonce: String
        public var revertAt: Date
        public var armedBy: Int32
    }

    static func encode(_ orders: Orders) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return Array(try encoder.encode(orders)) + [UInt8(ascii: "\n")]
    }

    public static func decode(_ bytes: [UInt8]) throws -> Orders {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(Orders.self, from: Data(bytes))
    }

    /// Whether a watchdog process still runs under `pid` (the kernel's view).
    public static func isRunning(_ pid: Int32) -> Bool { WatchdogChannel.isWizardProcess(pid) }

    /// The watchdog's life; the exit code.
    public static func run(_ orders: Orders, lockDescriptor: Int32 = 3) -> Int32 {
        // No terminal reaches this session; a hangup or ^C meant for the wizard must not stop it either.
        signal(SIGHUP, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let directory = StateDirectory(path: orders.stateDirectory)
        let channel = WatchdogChannel(directory: directory, run: orders.run, nonce: orders.nonce)
        let lock: RunLock
        do {
            lock = try RunLock.adopting(lockDescriptor, path: directory.lockFile)
            lock.describeHolder("pid \(getpid()) (the revert watchdog of run \(orders.run))")
            try channel.report(.armed(pid: getpid(), revertAt: orders.revertAt))
        } catch {
            log("cannot start: \(operatorMessage(for: error))")
            return 1
        }
        log("armed for run \(orders.run): pg_hba.conf goes back at \(orders.revertAt) + \(Int(WatchdogArm.grace)) s unless told otherwise")
        var revertAt = orders.revertAt
        while true {
            switch channel.receive() {
            case .standDown?:
                try? channel.report(.stoodDown)
                log("stood down")
                return 0
            case .revertNow?:
                return revert(orders, channel: channel, lock: lock, why: "asked to put the changes back now")
            case .deadline(let date)? where date != revertAt:
                revertAt = date
                try? channel.report(.armed(pid: getpid(), revertAt: revertAt))
                log("deadline moved to \(revertAt)")
            default:
                break
            }
            if Date() >= revertAt.addingTimeInterval(WatchdogArm.grace) {
                return revert(orders, channel: channel, lock: lock, why: "nobody kept the changes by \(revertAt)")
            }
            usleep(20_000)
        }
    }

    /// pg_hba.conf back from its journalled backup, reloaded and proven; then
    /// the run closed through the state machine when nobody else holds it.
    static func revert(_ orders: Orders, channel: WatchdogChannel, lock: RunLock, why: String) -> Int32 {
        log("reverting: \(why)")
        let directory = StateDirectory(path: orders.stateDirectory)
        do {
            let journal = try Journal.open(directory, run: orders.run)
            try journal.note("watchdog_reverting", ["why": why])
            guard let saved = try RunStore(directory).latest(), saved.run == orders.run else {
                throw RunError.noRun(stateDirectory: directory.path)
            }
            let (runner, context) = try connect(orders, directory: directory)
            runner.journal = journal
            runner.lock = lock
            var scratch = saved
            var failure: String?
            let backups = journal.backups()
            var effects: [Effect] = saved.state.plan.hbaWrites.map(\.path).filter { backups[$0] != nil }.map { .restoreFile(path: $0) }
            if !effects.isEmpty { effects.append(.reload(.b)) }
            for effect in effects where failure == nil {
                try journal.record(effect, before: runner.fingerprint(effect, plan: saved.state.plan))
                let performed = runner.perform(effect, record: &scratch)
                try journal.record(performed.event, after: performed.after, backup: performed.backup)
                switch performed.event {
                case .restored, .reloaded: break
                case .undoFailed(let reason), .reloadNotTaken(let reason): failure = reason
                default: failure = "unexpected \(performed.event)"
                }
            }
            try channel.report(failure.map { .revertFailed($0) } ?? .reverted)
            log(failure.map { "putting back failed: \($0)" } ?? "pg_hba.conf is back and reloaded on \(context.server.hbaFile)")
            // The process that armed us still holds the run: it records the revert when it next looks.
            if WatchdogChannel.isWizardProcess(orders.armedBy) { return failure == nil ? 0 : 1 }
            let driver = try RunDriver.adopt(saved, runner: runner, directory: directory, journal: journal, lock: lock)
            try driver.send(.watchdogReverted(failure: failure))
            let state = try driver.run()
            log("run \(orders.run) recorded as \(state.stage)")
            return failure == nil ? 0 : 1
        } catch {
            let reason = operatorMessage(for: error)
            try? channel.report(.revertFailed(reason))
            log("putting back failed: \(reason)")
            return 1
        }
    }

    /// The operator's way in, with SSL when plain text is what the new rules refuse;
    /// retried for a while (a server restarting, a network blip).
    static func connect(_ orders: Orders, directory: StateDirectory) throws -> (EffectRunner, RunContext) {
        var target = try ConnectionTarget(orders.conninfo)
        for pair in orders.overrides where pair.count == 2 { target = target.with(pair[0], pair[1]) }
        let deadline = Date().addingTimeInterval(60)
        var last: Error?
        while Date() < deadline {
            for attempt in [target, target.with("sslmode", "require")] {
                do {
                    let connection = try Connection.connect(attempt, timeoutSeconds: 5)
                    let snapshot = try ServerInspector(connection: connection).snapshot()
                    let context = RunContext(target: target, snapshot: snapshot, stamp: orders.run)
                    return (EffectRunner(context: context, connection: connection, reportDirectory: directory.path), context)
                } catch {
                    last = error
                }
            }
            Thread.sleep(forTimeInterval: 1)
        }
        throw last ?? RunError.noRun(stateDirectory: directory.path)
    }

    static func log(_ text: String) {
        let line = ISO8601DateFormatter().string(from: Date()) + " watchdog[\(getpid())]: " + text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
