import Executor
import Foundation
import Testing
import TestSupport

struct AtomicFileWriterTests {
    @Test func newFileGetsExactlyItsModeWhateverTheUmask() throws {
        let root = try TestEnvironment.scratchDirectory()
        let previous = umask(0o000)
        defer { umask(previous) }
        try AtomicFileWriter().write(Array("secret".utf8), to: root + "/key", mode: 0o600)
        umask(0o077)
        try AtomicFileWriter().write(Array("public".utf8), to: root + "/crt", mode: 0o644)
        var info = stat()
        stat(root + "/key", &info)
        #expect(info.st_mode & 0o7777 == 0o600)
        stat(root + "/crt", &info)
        #expect(info.st_mode & 0o7777 == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["crt", "key"])
    }

    @Test func replacingKeepsTheOldBytesInA0600Backup() throws {
        let root = try TestEnvironment.scratchDirectory()
        let writer = AtomicFileWriter(stamp: "20261122T000000Z")
        try "old\n".write(toFile: root + "/pg_hba.conf", atomically: false, encoding: .utf8)
        chmod(root + "/pg_hba.conf", 0o644)
        let outcome = try writer.write(Array("new\n".utf8), to: root + "/pg_hba.conf", mode: 0o600)
        #expect(outcome.backupPath == root + "/pg_hba.conf.bak-20261122T000000Z")
        #expect(try String(contentsOfFile: root + "/pg_hba.conf.bak-20261122T000000Z", encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: root + "/pg_hba.conf", encoding: .utf8) == "new\n")
        #expect(outcome.sha256Before == FileDigest.sha256(Array("old\n".utf8)))
        #expect(outcome.sha256After == FileDigest.sha256(Array("new\n".utf8)))
        var info = stat()
        stat(outcome.backupPath!, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        // A second write in the same run (a resumed run) keeps the run's backup: it holds the file as it was before the run.
        let again = try writer.write(Array("newer\n".utf8), to: root + "/pg_hba.conf", mode: 0o600)
        #expect(again.backupPath == outcome.backupPath)
        #expect(try String(contentsOfFile: root + "/pg_hba.conf.bak-20261122T000000Z", encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: root + "/pg_hba.conf", encoding: .utf8) == "newer\n")
    }

    @Test func aNonRegularFileIsNeverReplaced() throws {
        let root = try TestEnvironment.scratchDirectory()
        // A FIFO in the target's place: reading it for a backup would block forever.
        #expect(mkfifo(root + "/server.key", 0o600) == 0)
        let error = #expect(throws: FileWriteError.self) { try AtomicFileWriter().write([1], to: root + "/server.key", mode: 0o600) }
        #expect(error.map(operatorMessage(for:))?.contains("non-regular file") == true)
        var info = stat()
        lstat(root + "/server.key", &info)
        #expect(info.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["server.key"])
    }

    @Test func ownerIsSetBeforeTheBytes() throws {
        try TestEnvironment.requireRoot(for: "writing a file for another user")
        let root = try TestEnvironment.scratchDirectory()
        let postgres = try #require(OSUser.named("postgres"))
        try AtomicFileWriter().write(Array("k".utf8), to: root + "/server.key", mode: 0o600,
                                     owner: .init(uid: postgres.uid, gid: postgres.gid))
        #expect(OSUser.owner(of: root + "/server.key")?.name == "postgres")
    }

    @Test func failureLeavesNothingBehind() throws {
        let root = try TestEnvironment.scratchDirectory()
        let error = #expect(throws: FileWriteError.self) {
            try AtomicFileWriter().write([1], to: root + "/missing-dir/file", mode: 0o600)
        }
        #expect(error.map(operatorMessage(for:))?.contains("nothing was replaced") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty)
    }
}

import ClusterFacts
