import ClusterFacts
import Enforcement
import Executor
import Foundation
import Testing

/// The audit report rendered from a run record, on values.
struct AuditReportTests {
    static func finishedRecord() -> RunRecord {
        var record = RunRecordFixtures.record(hbaPath: "/data/pg_hba.conf", contents: "hostssl all all 10.0.0.0/8 md5\n", staged: "/nowhere")
        record.milestones.hostsslLiveAt = Date(timeIntervalSince1970: 1_800_000_010)
        record.milestones.lastPlainGoneAt = Date(timeIntervalSince1970: 1_800_000_011.5)
        record.milestones.finishedAt = Date(timeIntervalSince1970: 1_800_000_012)
        record.terminated = [TerminatedSession(pid: 4242, user: "app", applicationName: "billing", clientAddress: "10.1.2.3",
                                               walsender: false, at: Date(timeIntervalSince1970: 1_800_000_011))]
        record.confirmation = ConfirmationEvidence(plainTCPSessions: 0, plainLoopbackSessions: 0, tlsVersions: ["TLSv1.3": 4],
                                                   negativeTest: "refused: no pg_hba.conf entry ... no encryption",
                                                   verifyFull: "verified as db.example with /data/root.crt", problems: [])
        var counts = SessionCounts()
        counts.ssl = 4
        record.after = ClusterEvidence(takenAt: Date(timeIntervalSince1970: 1_800_000_012), counts: counts, tlsVersions: ["TLSv1.3": 4],
                                       settings: ["ssl": "on"], fileHashes: ["/data/pg_hba.conf": "bb"], certificateNotAfter: nil)
        return record
    }

    @Test func markdownNamesTheWindowTheTerminatedSessionsAndTheProof() {
        let markdown = AuditReport(Self.finishedRecord(), outcome: .enforced).markdown()
        #expect(markdown.contains("- **Outcome: enforced: every planned step verified**"))
        #expect(markdown.contains("Exposure window (hostssl live -> last non-SSL backend gone): 1.500 s"))
        #expect(markdown.contains("| non-SSL TCP | 3 | 0 |") && markdown.contains("| SSL | 0 | 4 |"))
        #expect(markdown.contains("| /data/pg_hba.conf | aa | bb |"))
        #expect(markdown.contains("- pid 4242 backend app@10.1.2.3 application billing"))
        #expect(markdown.contains("- Negative test (sslmode=disable over TCP): refused:"))
        #expect(markdown.contains("TLS versions after: TLSv1.3 x4"))
        #expect(markdown.contains("`host=db.example port=5432 dbname=DBNAME user=USER sslmode=verify-full sslrootcert=/data/root.crt`"))
    }

    @Test func jsonCarriesTheSameFactsAndNoFileContents() throws {
        let report = AuditReport(Self.finishedRecord(), outcome: .incomplete(step: .terminateNonSSL, reason: "pid 4243 still there"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json())) as? [String: Any])
        #expect(object["outcome"] as? String == "incomplete at End plain-text sessions: pid 4243 still there")
        #expect(object["exposure_window_seconds"] as? Double == 1.5)
        #expect((object["terminated"] as? [[String: Any]])?.first?["application_name"] as? String == "billing")
        #expect(!String(decoding: report.json(), as: UTF8.self).contains("md5"), "the candidate's bytes are not in the report")
    }

    /// A session a failed terminate step signalled but could not see gone
    /// (the server out of reach) says so; the others do not.
    @Test func aSessionNotSeenGoneSaysSo() {
        var record = Self.finishedRecord()
        var unseen = TerminatedSession(pid: 4243, user: "app", applicationName: "billing", clientAddress: "10.1.2.4",
                                       walsender: false, at: Date(timeIntervalSince1970: 1_800_000_011))
        unseen.exitConfirmed = false
        record.terminated.append(unseen)
        let failed = AuditReport(record, outcome: .incomplete(step: .terminateNonSSL, reason: "connection lost")).markdown()
        #expect(failed.contains("- pid 4243 backend app@10.1.2.4 application billing")
                && failed.contains("; signalled, not seen gone: the step failed and the server could not be asked again"), "\(failed)")
        #expect(failed.components(separatedBy: "not seen gone").count == 2, "only the one not seen gone:\n\(failed)")
    }

    @Test func noWindowWhenTheRulesNeverWentLive() {
        var record = Self.finishedRecord()
        record.milestones.hostsslLiveAt = nil
        let markdown = AuditReport(record, outcome: .rolledBack(step: .reloadOrRestart, reason: "dead-man check")).markdown()
        #expect(markdown.contains("not measured (the rules did not go live)"))
        #expect(markdown.contains("rolled back after Reload and check failed: dead-man check"))
    }
}
