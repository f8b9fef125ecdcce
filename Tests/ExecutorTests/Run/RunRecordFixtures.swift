import ClusterFacts
import Enforcement
import Executor
import Foundation
import HostIO

/// A run record as the driver keeps it, for value tests of the store and the report.
enum RunRecordFixtures {
    static func record(hbaPath: String, contents: String, staged: String,
                       terminate: [TerminateTarget] = [TerminateTarget(pid: 4242)]) -> RunRecord {
        let write = FileWrite(path: hbaPath, contents: Array(contents.utf8))
        let plan = RunPlan(systemIdentifier: "7000000000000000001", serverMajor: 15,
                           initial: [.preflight: .satisfied, .certs: .satisfied, .sslOn: .satisfied, .hbaRewrite: .planned,
                                     .reloadOrRestart: .planned, .terminateNonSSL: .planned, .confirm: .planned],
                           hbaWrites: [write], terminate: terminate,
                           confirmation: ConfirmationExpectation(caPath: "/data/root.crt"))
        var counts = SessionCounts()
        counts.nonSSLTCP = 3
        let before = ClusterEvidence(takenAt: Date(timeIntervalSince1970: 1_800_000_000), counts: counts, tlsVersions: [:],
                                     settings: ["ssl": "on"], fileHashes: [hbaPath: "aa"], certificateNotAfter: nil)
        return RunRecord(run: "20261122T120000Z", startedAt: Date(timeIntervalSince1970: 1_800_000_000), connection: "host=/tmp user=postgres",
                         state: RunState(plan: plan), staged: [hbaPath: staged],
                         candidateHashes: [hbaPath: FileDigest.sha256(Array(contents.utf8))], before: before,
                         clientNames: ["db.example"], port: 5432)
    }
}
