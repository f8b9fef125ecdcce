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
