import Enforcement
@testable import Executor
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The terminate step as the run carries it out, against a real server.
struct TerminateStepTests {
    /// A run killed while the step waited out `--grace` had already ended
    /// its walsenders (they are signalled first); the step issued again on
    /// `resume` finds them gone. Their standbys must still be waited for:
    /// each comes back under the new rules or the report warns about it.
    /// A plain client backend already gone is no standby's and counts for nothing.
    @Test func aPlannedWalsenderAlreadyGoneCountsAsEnded() async throws {
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
            let performed = runner.perform(.terminate(pids: gone, timeoutMilliseconds: 1000), record: record)
            #expect(performed.event == .terminated(ended: [gone[0]], remaining: []))
        }
    }
}
