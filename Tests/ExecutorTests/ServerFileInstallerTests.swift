import Enforcement
import Executor
import Foundation
import Testing
import TestSupport

/// Installing and restoring the server's files on a real file system.
struct ServerFileInstallerTests {
    @Test func replacedFileKeepsOwnerAndModeAndRestoresFromItsBackup() throws {
        try TestEnvironment.requireRoot(for: "files owned by the postgres user")
        let directory = try TestEnvironment.scratchDirectory()
        let path = directory + "/pg_hba.conf"
        let original = "local all all trust\nhost all all 10.0.0.0/8 md5\n"
        try original.write(toFile: path, atomically: false, encoding: .utf8)
        let postgres = try #require(OSUser.named("postgres"))
        chown(path, postgres.uid, postgres.gid)
        chmod(path, 0o640)

        let installer = ServerFileInstaller(writer: AtomicFileWriter(stamp: "20261122T200000Z"))
        let candidate = "local all all trust\nhostssl all all 10.0.0.0/8 md5\n"
        let outcome = try installer.install(FileWrite(path: path, contents: Array(candidate.utf8)))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == candidate)
        var info = stat()
        stat(path, &info)
        #expect(info.st_uid == postgres.uid && info.st_mode & 0o7777 == 0o640, "owner and mode kept")
        let backup = try #require(outcome.backupPath)
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == original)
        stat(backup, &info)
        #expect(info.st_mode & 0o7777 == 0o600)

        let restoring = ServerFileInstaller(writer: AtomicFileWriter(stamp: "20261122T200001Z"))
        let restored = try restoring.restore(path, from: backup)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        #expect(try String(contentsOfFile: try #require(restored.backupPath), encoding: .utf8) == candidate, "the rejected candidate is kept")
        stat(path, &info)
        #expect(info.st_uid == postgres.uid && info.st_mode & 0o7777 == 0o640)

        #expect(throws: FileWriteError.self) { try restoring.restore(path, from: directory + "/no-such-backup") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original, "a failed restore changes nothing")
    }
}
