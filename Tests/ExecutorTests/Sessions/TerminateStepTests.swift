import Enforcement
@testable import Executor
import Foundation
import HostIO
import PostgresClient
import SQLCatalogue
import Testing
import TestSupport

/// The terminate step as the run carries it out, against a real server.
struct TerminateStepTests {
    /// A run killed while the step waited out `--grace` had already ended
    /// its walsenders (they are signalled first); the step issued again on
    /// `resume` finds them gone, and their standbys must still be waited for.
    /// On a first attempt, a walsender gone by itself (its standby restarted
    /// or down) was not the run's doing and is not waited for. A plain client
    /// backend already gone is no standby's and counts for nothing.
    @Test func aPlannedWalsenderAlreadyGoneCountsAsEndedOnlyWhenTheStepIsIssuedAgain() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let gone = try cluster.holdSessions(2, via: .socket, applicationName: "gone").map(\.backendPID)
            cluster.releaseHeldSessions()
            try cluster.waitFor("the held sessions to end") {
                try connection.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])", [gone]).rows.first?.int32("n") == 0
            }
            let record = RunRecordFixtures.record(hbaPath: cluster.local.root + "/pg_hba.conf", contents: "", staged: "",
                                                  terminate: [TerminateTarget(pid: gone[0], walsender: true, standby: "replica1"),
                                                              TerminateTarget(pid: gone[1])])
            let runner = try DeadManPeerTests.runner(cluster, connection)
            let directory = StateDirectory(path: try TestEnvironment.scratchDirectory())
            let journal = try Journal.open(directory, run: record.run)
            defer { journal.close() }
            runner.journal = journal
            let effect = Effect.terminate(pids: gone, timeoutMilliseconds: 1000)

            // As the driver does: the effect is journalled, then carried out.
            _ = try journal.record(effect)
            #expect(runner.perform(effect, record: record).event == .terminated(ended: [], remaining: []),
                    "a first attempt: the walsender went by itself")
            _ = try journal.record(effect)
            #expect(runner.perform(effect, record: record).event == .terminated(ended: [gone[0]], remaining: []),
                    "issued again: the attempt before ended it")
        }
    }

    /// A pid names a backend only while it lives: the kernel gives the
    /// number of one that exited to a later process, and a `resume` may
    /// come hours after the plan. The plan keeps when each backend started;
    /// a session under a planned pid that started at another moment is
    /// another one, and the step leaves it alone: not signalled, not waited
    /// for, not counted (docs/POSTGRES.md, "Ending a session between
    /// transactions"). A record written before starts were kept ends the pid.
    @Test func aSessionUnderAPlannedPidThatStartedAtAnotherMomentIsLeftAlone() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let held = try cluster.holdSessions(3, via: .tcp(sslmode: "disable"), applicationName: "planned").map(\.backendPID)
            defer { cluster.releaseHeldSessions() }
            let sessions = try ServerInspector(connection: connection).readSessions()
            func start(_ pid: Int32) throws -> Int64 { try #require(sessions.first { $0.pid == pid }?.backendStartMicroseconds) }
            let (reused, planned, legacy) = (held[0], held[1], held[2])
            // The plan saw another backend under `reused`: one that started a microsecond earlier.
            let record = RunRecordFixtures.record(hbaPath: cluster.local.root + "/pg_hba.conf", contents: "", staged: "",
                                                  terminate: [TerminateTarget(pid: reused, backendStartMicroseconds: try start(reused) - 1),
                                                              TerminateTarget(pid: planned, backendStartMicroseconds: try start(planned)),
                                                              TerminateTarget(pid: legacy)])
            let runner = try DeadManPeerTests.runner(cluster, connection)
            let effect = Effect.terminate(pids: held, timeoutMilliseconds: 1000)

            // Each statement of the step, on its own: the other session under the number is not there for it.
            let earlier = [reused: try start(reused) - 1], same = [reused: try start(reused)]
            #expect(try SessionTermination.present(connection, [reused], starts: earlier) == [], "the wait until gone")
            #expect(try SessionTermination.present(connection, [reused], starts: same) == [reused])
            #expect(try SessionTermination.stillExposed(connection, among: [reused], weakVersions: [], starts: earlier) == [],
                    "the list of those still exposed")
            #expect(try SessionTermination.stillExposed(connection, among: [reused], weakVersions: [], starts: same) == [reused])
            let version = cluster.version
            #expect(try connection.query(SQLText.terminate(reused, backendStartMicroseconds: try start(reused) - 1, timeoutMilliseconds: 1000,
                                                           version: version)).rows.isEmpty, "the second signal to one slow to exit")

            #expect(runner.perform(effect, record: record).event == .terminated(ended: [planned, legacy], remaining: []))
            let left = try connection.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'planned'").rows.map { try $0.int32("pid") }
            #expect(left == [reused], "the session the plan never saw is still connected")
        }
    }

    /// Where new connections lead when the step's own is lost.
    enum Reconnection: String, CaseIterable, Sendable {
        /// The run's cluster: the look is taken there, and the run goes on with it.
        case sameServer
        /// Nowhere (port 1).
        case unreachable
        /// Another cluster (after a failover, a name leading elsewhere): no look there.
        case anotherCluster
    }

    /// The step's connection lost while it waits out `--grace` for a session
    /// inside a transaction: the idle sessions it had already ended are in
    /// the evidence (the report's "Terminated sessions") and the journal,
    /// with the state each was in. Where the run's own cluster can still be
    /// asked (a new connection the operator's way), that look says who is
    /// left, and the run goes on with the new connection; where it cannot,
    /// those signalled are listed as not seen gone, and every planned one as
    /// left. Before, a failed step kept no trace of whom it had cut.
    @Test(arguments: Reconnection.allCases)
    func theSessionsEndedBeforeTheStepFailedAreKept(reconnection: Reconnection) async throws {
        try await TestCluster.with { cluster in
            try await TestCluster.with { other in
                let connection = try cluster.superuserConnection()
                let observer = try cluster.superuserConnection()
                defer { observer.close() }
                let idle = try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "idle-app").map(\.backendPID)
                defer { cluster.releaseHeldSessions() }
                let busy = try Connection.connect(try ConnectionTarget(cluster.tcpConninfo(sslmode: "disable") + " application_name=busy-app"))
                defer { busy.close() }
                _ = try busy.query("BEGIN")
                _ = try busy.query("SELECT 1")
                let planned = idle + [busy.backendPID]
                let record = RunRecordFixtures.record(hbaPath: cluster.local.root + "/pg_hba.conf", contents: "", staged: "",
                                                      terminate: planned.map { TerminateTarget(pid: $0) })
                let target: ConnectionTarget
                switch reconnection {
                case .sameServer: target = connection.target
                case .unreachable: target = connection.target.with("port", "1")
                case .anotherCluster: target = try ConnectionTarget(other.socketConninfo)
                }
                let context = RunContext(target: target, snapshot: try ServerInspector(connection: connection).snapshot(),
                                         stamp: "terminate-test", graceSeconds: 300)
                let runner = EffectRunner(context: context, connection: connection, stateDirectory: StateDirectory(path: cluster.local.root + "/state"))
                let ended = ProgressSeen()
                runner.terminationProgress = { ended.saw($0.endedIdle) }
                let effect = Effect.terminate(pids: planned, timeoutMilliseconds: 1000)

                // The step runs beside the test: once it has ended the idle ones, its connection is cut.
                let step = Concurrent.start { UncheckedRunner(runner: runner).perform(effect, record: record) }
                try cluster.waitFor("the step to end the idle sessions") { ended.most == idle.count }
                let cut = connection.backendPID
                _ = try observer.query("SELECT pg_terminate_backend($1)", [cut])
                let performed = step.value()
                defer { runner.connection.close() }

                let looked = reconnection == .sameServer
                #expect(performed.evidence.terminated.map(\.pid).sorted() == idle.sorted(), "\(performed.evidence.terminated) \(performed.after ?? [:])")
                #expect(performed.evidence.terminated.allSatisfy { $0.cutInsideTransaction == false && $0.applicationName == "idle-app" })
                #expect(performed.evidence.terminated.allSatisfy { $0.exitConfirmed == (looked ? nil : false) })
                #expect(performed.after?["signalled_before_failure"] == idle.sorted().map(String.init).joined(separator: ","), "\(performed.after ?? [:])")
                #expect(performed.after?["failure"]?.isEmpty == false, "\(performed.after ?? [:])")
                #expect(performed.event == .terminated(ended: planned, remaining: looked ? [busy.backendPID] : planned),
                        "every planned one counts as ended, for the standby wait; left: the look's answer, or every one")
                #expect((performed.after?["reconnected_pid"] != nil) == looked, "\(performed.after ?? [:])")
                #expect(runner.connection.isOpen == looked, "the run goes on with a new connection only to its own cluster")
                if looked { #expect(runner.connection.backendPID != cut) }
            }
        }
    }
}

/// The most sessions a step has reported ended, as its progress calls come in from its thread.
private final class ProgressSeen: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func saw(_ ended: Int) { lock.lock(); count = max(count, ended); lock.unlock() }
    var most: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// The runner handed to the thread that carries the step out while the test
/// cuts its connection; the test touches it again only after that thread's result.
private struct UncheckedRunner: @unchecked Sendable {
    let runner: EffectRunner
    func perform(_ effect: Effect, record: RunRecord) -> EffectRunner.Performed { runner.perform(effect, record: record) }
}

