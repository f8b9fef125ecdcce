import Enforcement
import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// The run's bookkeeping on a real file system: 0700 state directory per
/// cluster, a lock the kernel drops with its holder, an fsynced 0600 journal
/// that never holds file contents.
struct JournalTests {
    static func directory() throws -> StateDirectory {
        try StateDirectory.forCluster(systemIdentifier: "7311000000000000001",
                                      environment: ["XDG_STATE_HOME": try TestEnvironment.scratchDirectory()])
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o7777
    }

    @Test func stateDirectoryIsPerClusterAndPrivate() throws {
        let scratch = try TestEnvironment.scratchDirectory()
        let directory = try StateDirectory.forCluster(systemIdentifier: "7311", environment: ["XDG_STATE_HOME": scratch])
        #expect(directory.path == scratch + "/pg-ssl-wizard/7311")
        #expect(Self.mode(directory.path) == 0o700)
        #expect(throws: JournalError.self) { try StateDirectory.forCluster(systemIdentifier: "", environment: ["XDG_STATE_HOME": scratch]) }
    }

    @Test func oneRunAtATimeAndAKilledHolderLeavesNoStaleLock() throws {
        let directory = try Self.directory()
        let first = try RunLock.acquire(directory)
        #expect(Self.mode(directory.lockFile) == 0o600)
        do {
            _ = try RunLock.acquire(directory)
            Issue.record("a second lock must be refused")
        } catch {
            #expect(error.operatorMessage.contains("pid \(getpid())") && error.operatorMessage.contains("resume"))
        }
        first.release()
        let again = try RunLock.acquire(directory)
        again.release()

        // Another process (flock(1) exec-ing sleep) takes it and is killed with SIGKILL: the lock goes with it.
        let holder = try ProcessRunner.spawn("flock", ["--exclusive", "--no-fork", directory.lockFile, "sleep", "60"], logFile: "/dev/null")
        defer { holder.terminate() }
        let deadline = Date().addingTimeInterval(10)
        var refused = false
        while Date() < deadline, !refused {
            do { try RunLock.acquire(directory).release() } catch { refused = true }
            if !refused { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(refused, "flock(1) holds the lock")
        kill(holder.pid, SIGKILL)
        _ = holder.wait(timeoutSeconds: 10)
        let afterKill = try RunLock.acquire(directory)
        afterKill.release()
    }

    @Test func journalLinesAreFsyncedPrivateAndFreeOfFileContents() throws {
        let directory = try Self.directory()
        let secret = "host all all 10.0.0.0/8 ldap ldapserver=ldap ldapbinddn=cn=x ldapbindpasswd=hunter2\n"
        let journal = try Journal.open(directory, run: "20261122T190000Z")
        try journal.note("plan", ["steps": "hba_rewrite,reload_or_restart"])
        try journal.record(.writeFile(FileWrite(path: "/data/pg_hba.conf", contents: Array(secret.utf8))),
                           before: ["sha256": "old"], after: ["sha256": FileDigest.sha256(Array(secret.utf8))],
                           backup: "/data/pg_hba.conf.bak-20261122T190000Z")
        try journal.record(.fileWritten(path: "/data/pg_hba.conf", backup: "/data/pg_hba.conf.bak-20261122T190000Z"))
        try journal.record(.terminate(pids: [101, 102], timeoutMilliseconds: 5000))
        journal.close()

        #expect(Self.mode(journal.path) == 0o600)
        let text = try String(contentsOfFile: journal.path, encoding: .utf8)
        #expect(!text.contains("hunter2") && !text.contains("ldapbindpasswd"), "file contents never reach the journal")
        let entries = try Journal.read(journal.path)
        #expect(entries.map(\.sequence) == [1, 2, 3, 4])
        #expect(entries.map(\.name) == ["plan", "write_file", "fileWritten", "terminate"])
        #expect(entries[1].detail["bytes"] == String(secret.utf8.count) && entries[1].backup?.hasSuffix(".bak-20261122T190000Z") == true)
        #expect(entries[3].detail == ["pids": "101,102", "timeout_ms": "5000"])

        // A crash mid-line leaves a torn last line: it is ignored, the rest reads back; a reopened journal continues the count.
        let handle = try #require(FileHandle(forWritingAtPath: journal.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"at\":\"2026-11-22T19:00:00Z\",\"ru".utf8))
        try handle.close()
        #expect(try Journal.read(journal.path).count == 4)
        let reopened = try Journal.open(directory, run: "20261122T190000Z")
        defer { reopened.close() }
        #expect(try reopened.note("resumed").sequence == 5)
        #expect(try Journal.read(journal.path).map(\.name) == ["plan", "write_file", "fileWritten", "terminate", "resumed"])
    }

    @Test func aDamagedLineIsReportedWithItsNumber() throws {
        let directory = try Self.directory()
        let path = directory.journalFile(run: "damaged")
        try "not json\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: JournalError.unreadable(path: path, line: 1, reason: "not a journal entry")) { try Journal.read(path) }
    }
}
