import ClusterFacts
import Enforcement
import Executor
import Foundation
import HostIO
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
        let recorded = AtomicFileWriter.Backup(path: backup, sha256: try #require(outcome.sha256Before))
        let restored = try restoring.restore(path, from: recorded)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        #expect(try String(contentsOfFile: try #require(restored.backupPath), encoding: .utf8) == candidate, "the rejected candidate is kept")
        stat(path, &info)
        #expect(info.st_uid == postgres.uid && info.st_mode & 0o7777 == 0o640)

        #expect(throws: FileWriteError.self) {
            try restoring.restore(path, from: .init(path: directory + "/no-such-backup", sha256: recorded.sha256))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original, "a failed restore changes nothing")
    }

    /// A backup is put back only when it is a regular file with the hash
    /// recorded when it was made: the server's OS user owns the directory
    /// and could swap it for a link to a root-only file, or other bytes.
    @Test func aSwappedBackupIsRefusedAndNothingChanges() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let path = directory + "/pg_hba.conf"
        try "local all all trust\n".write(toFile: path, atomically: false, encoding: .utf8)
        let outcome = try ServerFileInstaller().install(FileWrite(path: path, contents: Array("hostssl all all 10.0.0.0/8 md5\n".utf8)))
        let backup = try #require(outcome.backupPath)
        let recorded = AtomicFileWriter.Backup(path: backup, sha256: try #require(outcome.sha256Before))
        let decoy = directory + "/decoy"
        try "root only secret\n".write(toFile: decoy, atomically: false, encoding: .utf8)
        chmod(decoy, 0o600)

        unlink(backup)
        #expect(symlink(decoy, backup) == 0)
        let linked = #expect(throws: FileWriteError.self) { try ServerFileInstaller().restore(path, from: recorded) }
        #expect(linked.map(operatorMessage(for:))?.contains("is not the file the run recorded") == true)

        unlink(backup)
        try "host all all 0.0.0.0/0 trust\n".write(toFile: backup, atomically: false, encoding: .utf8)
        #expect(throws: FileWriteError.backupNotAsRecorded(path: backup)) { try ServerFileInstaller().restore(path, from: recorded) }

        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hostssl all all 10.0.0.0/8 md5\n", "nothing was put in place")
        #expect(try String(contentsOfFile: decoy, encoding: .utf8) == "root only secret\n")
    }
}
