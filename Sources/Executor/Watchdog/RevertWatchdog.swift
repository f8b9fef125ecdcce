import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PostgresClient
import SQLCatalogue

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
        public var armedByStartTicks: UInt64?
        /// The cluster it guards: a connection that reaches another one is not used.
        public var systemIdentifier: String
        public var dataDirectory: String
        /// The operator came over TCP: after the rewrite only SSL gets in.
        public var sslTCP: Bool
    }

    static func encode(_ orders: Orders) throws -> [UInt8] {
        return try StoredJSON.bytes(orders) + [UInt8(ascii: "\n")]
    }

    public static func decode(_ bytes: [UInt8]) throws -> Orders {
        return try StoredJSON.decoder().decode(Orders.self, from: Data(bytes))
    }

    /// Whether the armed watchdog still runs: that very process (pid and start time), not a later one with its pid.
    public static func isRunning(_ arm: WatchdogArm) -> Bool { isAlive(arm.pid, startTicks: arm.startTicks) }

    /// The process that armed it still runs.
    public static func armerIsAlive(_ arm: WatchdogArm) -> Bool { isAlive(arm.armedBy, startTicks: arm.armedByStartTicks) }

    static func isAlive(_ pid: Int32, startTicks: UInt64?) -> Bool {
        guard let now = ProcessIdentity.of(pid) else { return false }
        return startTicks.map { $0 == now.startTicks } ?? WatchdogChannel.isWizardProcess(pid)
    }

    /// The watchdog's life; the exit code.
    public static func run(_ orders: Orders, lockDescriptor: Int32 = 3) -> Int32 {
        // No terminal reaches this session; a hangup or ^C meant for the wizard must not stop it either.
        signal(SIGHUP, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        // A logout that kills the user's processes (logind) must not take it either; SIGKILL still can.
        signal(SIGTERM, SIG_IGN)
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
        log("armed for run \(orders.run): pg_hba.conf goes back at \(UTCText.iso8601(orders.revertAt)) + \(Int(WatchdogArm.grace)) s unless told otherwise")
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
                log("deadline moved to \(UTCText.iso8601(revertAt))")
            default:
                break
            }
            if Date() >= revertAt.addingTimeInterval(WatchdogArm.grace) {
                return revert(orders, channel: channel, lock: lock, why: "nobody kept the changes by \(UTCText.iso8601(revertAt))")
            }
            usleep(20_000)
        }
    }

    /// pg_hba.conf back from its journalled backup first (files need no
    /// server), then reloaded and proven; a server that cannot be reached gets
    /// SIGHUP from the watchdog (its verified postmaster), and a stopped one
    /// loads the old file when it starts. Then the run is closed through the
    /// state machine when nobody else holds it. A `reverted` report is never
    /// taken back by a later failure to record it.
    static func revert(_ orders: Orders, channel: WatchdogChannel, lock: RunLock, why: String) -> Int32 {
        log("reverting: \(why)")
        let directory = StateDirectory(path: orders.stateDirectory)
        let journal: Journal
        let saved: RunRecord
        do {
            journal = try Journal.open(directory, run: orders.run)
            try journal.note("watchdog_reverting", ["why": why])
            guard let latest = try RunStore(directory).latest(), latest.run == orders.run else { throw RunError.noRun(stateDirectory: directory.path) }
            saved = latest
        } catch {
            return fail(operatorMessage(for: error), channel)
        }
        // 1. The files, with the same verified restore a rollback uses.
        let backups = journal.backups()
        let installer = ServerFileInstaller(writer: AtomicFileWriter(stamp: orders.run))
        for path in saved.state.plan.hbaWrites.map(\.path) {
            guard let backup = backups[path] else { continue }
            do {
                _ = try installer.restore(path, from: backup)
                try journal.note("watchdog_restored", ["path": path, "sha256": backup.sha256])
            } catch {
                return fail("putting back \(path) failed: \(operatorMessage(for: error))", channel)
            }
        }
        // 2. The reload, proven over SQL; or SIGHUP to the verified postmaster when no session gets in.
        var failure: String?
        var runner: EffectRunner?
        do {
            let connected = try connect(orders, directory: directory)
            runner = connected
            connected.journal = journal
            connected.lock = lock
            connected.reverting = true
            let effect = Effect.reload(.hostsslRules)
            try journal.record(effect, before: connected.fingerprint(effect, plan: saved.state.plan))
            let performed = connected.perform(effect, record: saved)
            try journal.record(performed.event, after: performed.after)
            if case .reloadNotTaken(let reason) = performed.event { failure = reason }
        } catch {
            if let postmaster = try? Postmaster.verified(dataDirectory: orders.dataDirectory), kill(postmaster.pid, SIGHUP) == 0 {
                _ = try? journal.note("watchdog_signalled_reload", ["pid": String(postmaster.pid), "why": operatorMessage(for: error)])
            } else {
                // No postmaster: the server is down and reads the old file when it starts.
                _ = try? journal.note("watchdog_no_server", ["why": operatorMessage(for: error)])
            }
        }
        try? channel.report(failure.map { .revertFailed($0) } ?? .reverted)
        log(failure.map { "the reload was not taken: \($0)" } ?? "the old pg_hba.conf is back")
        // The process that armed us still holds the run: it records the revert when it next looks.
        guard !isAlive(orders.armedBy, startTicks: orders.armedByStartTicks), let runner else { return failure == nil ? 0 : 1 }
        do {
            let driver = try RunDriver.adopt(saved, runner: runner, directory: directory, journal: journal, lock: lock)
            try driver.send(.watchdogReverted(failure: failure))
            let state = try driver.run()
            log("run \(orders.run) recorded as \(state.stage)")
        } catch {
            log("the revert is done but could not be recorded in the run: \(operatorMessage(for: error)); `pg-ssl-wizard resume` records it")
        }
        return failure == nil ? 0 : 1
    }

    static func fail(_ reason: String, _ channel: WatchdogChannel) -> Int32 {
        try? channel.report(.revertFailed(reason))
        log("putting back failed: \(reason)")
        return 1
    }

    /// The operator's way in as libpq resolved it in the wizard, with SSL when
    /// the operator came over TCP; only to the guarded cluster; retried for a
    /// while (a server restarting, a network blip).
    static func connect(_ orders: Orders, directory: StateDirectory) throws -> EffectRunner {
        let target = try target(of: orders)
        let deadline = Date().addingTimeInterval(60)
        var last: Error?
        // As the wizard passed them: each attempt judges these afresh, so a cache that
        // was briefly away (kinit and renewal daemons replace the file) is used again.
        let passed = WatchdogEnvironment.kerberosVariables()
        var refusedBefore: Set<String> = []
        while Date() < deadline {
            // The ticket cache or Kerberos configuration named may have changed hands since
            // the wizard passed it (nothing else runs in this process by now: the environment is its own).
            let variables = WatchdogEnvironment.forAttempt(passed)
            for variable in variables {
                if let value = variable.value { setenv(variable.name, value, 1) } else { unsetenv(variable.name) }
            }
            // Said when it changes, not on every attempt.
            let refusedNow = Set(variables.filter(\.refused).map(\.name))
            for name in refusedNow.subtracting(refusedBefore).sorted() { log("\(name) does not name a file only this user controls now: not used") }
            for name in refusedBefore.subtracting(refusedNow).sorted() { log("\(name) names a file only this user controls again: used") }
            refusedBefore = refusedNow
            do {
                let connection = try Connection.connect(target, timeoutSeconds: 5)
                _ = try connection.query(SQLText.watchdogStatementTimeout)
                let snapshot = try ServerInspector(connection: connection).snapshot()
                guard snapshot.server.systemIdentifier == orders.systemIdentifier else {
                    connection.close()
                    throw RunError.otherCluster(found: snapshot.server.systemIdentifier, expected: orders.systemIdentifier)
                }
                let context = RunContext(target: target, snapshot: snapshot, stamp: orders.run)
                return EffectRunner(context: context, connection: connection, stateDirectory: directory)
            } catch {
                last = error
            }
            Thread.sleep(forTimeInterval: 1)
        }
        throw last ?? RunError.noRun(stateDirectory: directory.path)
    }

    /// The operator's way in as libpq resolved it in the wizard. Over TCP, SSL
    /// at least: a resolved verify-ca or verify-full stays, so the watchdog
    /// sends the operator's credentials over no TLS the operator would not
    /// (as `RunContext.sslTarget` does for the run).
    public static func target(of orders: Orders) throws(PostgresError) -> ConnectionTarget {
        var target = try ConnectionTarget(orders.conninfo)
        for pair in orders.overrides where pair.count == 2 { target = target.with(pair[0], pair[1]) }
        let resolved = target.explicitKeywords["sslmode"] ?? ""
        if orders.sslTCP, !["require", "verify-ca", "verify-full"].contains(resolved) { target = target.with("sslmode", "require") }
        return target
    }

    static func log(_ text: String) {
        let line = UTCText.iso8601(Date()) + " watchdog[\(getpid())]: " + text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
