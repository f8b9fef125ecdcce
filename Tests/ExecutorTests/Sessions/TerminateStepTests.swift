import Enforcement
@testable import Executor
import Foundation
import HostIO
import PostgresClient
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
}
