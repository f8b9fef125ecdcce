import Enforcement
import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// The run record on disk: no file contents, put back from the staged
/// candidate only when its hash still matches.
struct RunStoreTests {
    static let candidate = "hostssl all all 10.0.0.0/8 ldap ldapbindpasswd=\"Sup3rSecret\"\n"

    @Test func savedRecordHoldsNoFileContentsAndIsPrivate() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let staged = directory + "/pg_hba.conf.candidate"
        try Self.candidate.write(toFile: staged, atomically: true, encoding: .utf8)
        let store = RunStore(StateDirectory(path: directory))
        let record = RunRecordFixtures.record(hbaPath: directory + "/pg_hba.conf", contents: Self.candidate, staged: staged)
        try store.save(record)

        let file = store.path(run: record.run)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains("Sup3rSecret") && !text.contains(Array(Self.candidate.utf8).map(String.init).prefix(8).joined(separator: ",")))
        var info = stat()
        stat(file, &info)
        #expect(info.st_mode & 0o7777 == 0o600)

        let loaded = try store.load(run: record.run)
        #expect(loaded.state.plan.hbaWrites.first?.contents == [])
        let restored = try RunStore.withContents(loaded)
        #expect(restored.state.plan.hbaWrites.first?.contents == Array(Self.candidate.utf8))
        #expect(restored.state == record.state)
        let latest = try store.latest()
        #expect(store.runs() == [record.run] && latest?.run == record.run)
    }

    /// A record saved by the version that looked at the sessions before ending
    /// them still loads, so it neither blocks a new run nor is lost to
    /// `resume`: saved at that look (stage `refreshingSessions`), it resumes
    /// by ending the planned sessions still exposed; saved while waiting for
    /// the standbys, it still waits for those whose walsenders the look's
    /// pids (`terminateNow`) say it ended.
    @Test(arguments: ["refreshingSessions", "awaitingStandbys"])
    func aRecordSavedByTheVersionWithALookBeforeTerminationLoadsAndResumes(stage: String) throws {
        let directory = try TestEnvironment.scratchDirectory()
        let staged = directory + "/pg_hba.conf.candidate"
        try Self.candidate.write(toFile: staged, atomically: true, encoding: .utf8)
        let store = RunStore(StateDirectory(path: directory))
        let record = RunRecordFixtures.record(hbaPath: directory + "/pg_hba.conf", contents: Self.candidate, staged: staged,
                                              terminate: [TerminateTarget(pid: 4242), TerminateTarget(pid: 4243, walsender: true, standby: "replica1")])
        try store.save(record)
        let file = store.path(run: record.run)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        var state = try #require(json["state"] as? [String: Any])
        state["stage"] = [stage: [String: Any]()]
        state["terminateNow"] = [4242, 4243]
        state.removeValue(forKey: "ended")
        // As that version saved it: phase B verified, the terminate step under way (steps are [name, status, ...]).
        var steps = try #require(state["steps"] as? [String])
        for index in stride(from: 0, to: steps.count, by: 2) {
            switch steps[index] {
            case "hba_rewrite", "reload_or_restart": steps[index + 1] = "verified"
            case "terminate_non_ssl": steps[index + 1] = "applying"
            default: break
            }
        }
        state["steps"] = steps
        json["state"] = state
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file))

        let loaded = try #require(try store.latest())
        var resumed = loaded.state
        if stage == "awaitingStandbys" {
            #expect(loaded.state.entryEffects == [.awaitStandbys(["replica1"])])
            _ = resumed.reduce(.standbysStreaming(missing: []))
        } else {
            #expect(loaded.state.stage.isTerminating)
            #expect(loaded.state.entryEffects == [.terminate(pids: [4242, 4243], timeoutMilliseconds: 5000)])
            _ = resumed.reduce(.terminated(ended: [4242], remaining: []))
            #expect(resumed.ended == [4242])
            #expect(resumed.stage == .awaitingConfirmation, "no walsender ended: no standby to wait for, and confirm was not confirmed")
        }
        #expect(resumed.rejected == [])
        #expect(resumed.status(.terminateNonSSL) == .verified)
    }

    @Test func aChangedOrMissingStagedCandidateIsRefused() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let staged = directory + "/pg_hba.conf.candidate"
        try Self.candidate.write(toFile: staged, atomically: true, encoding: .utf8)
        let record = RunRecordFixtures.record(hbaPath: directory + "/pg_hba.conf", contents: Self.candidate, staged: staged)
        try (Self.candidate + "host all all 0.0.0.0/0 trust\n").write(toFile: staged, atomically: true, encoding: .utf8)
        #expect(throws: RunError.stagedCandidateChanged(path: directory + "/pg_hba.conf", staged: staged)) { try RunStore.withContents(record) }
        unlink(staged)
        #expect(throws: RunError.stagedCandidateMissing(path: directory + "/pg_hba.conf", staged: staged)) { try RunStore.withContents(record) }
    }
}
