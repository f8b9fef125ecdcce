import Foundation
import HostIO
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
        let backup = try #require(outcome.backupPath)
        #expect(backup.hasPrefix(root + "/pg_hba.conf.bak-20261122T000000Z-") && backup.count > (root + "/pg_hba.conf.bak-20261122T000000Z-").count + 8,
                "the stamp, then a part nobody can guess: \(backup)")
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: root + "/pg_hba.conf", encoding: .utf8) == "new\n")
        #expect(outcome.sha256Before == FileDigest.sha256(Array("old\n".utf8)))
        #expect(outcome.sha256After == FileDigest.sha256(Array("new\n".utf8)))
        var info = stat()
        stat(backup, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        // Each backup gets its own name: a second write never reuses (or trusts) a name someone could have planted.
        let again = try writer.write(Array("newer\n".utf8), to: root + "/pg_hba.conf", mode: 0o600)
        #expect(again.backupPath != nil && again.backupPath != backup)
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: root + "/pg_hba.conf", encoding: .utf8) == "newer\n")
    }

    /// The backup is recorded (path and hash) before the target is replaced,
    /// so a crash between the two still leaves it findable and checkable.
    @Test func theBackupIsRecordedBeforeTheFileIsReplaced() throws {
        let root = try TestEnvironment.scratchDirectory()
        try "old\n".write(toFile: root + "/pg_hba.conf", atomically: false, encoding: .utf8)
        let seen = Seen()
        let request = AtomicFileWriter.BackupRequest { target, backup in
            seen.set("\(target) \(backup.sha256) " + ((try? String(contentsOfFile: target, encoding: .utf8)) ?? "?"))
        }
        let outcome = try AtomicFileWriter().write(Array("new\n".utf8), to: root + "/pg_hba.conf", mode: 0o600, backup: request)
        #expect(seen.value == "\(root)/pg_hba.conf \(FileDigest.sha256(Array("old\n".utf8))) old\n", "recorded while the file was still the old one")
        #expect(outcome.backupPath != nil)
    }

    /// A symbolic link where the file should be is neither read through nor
    /// replaced: root would otherwise copy a root-only file into a backup, or
    /// give its bytes to the server's user.
    @Test func aSymbolicLinkIsNeverReadThroughOrReplaced() throws {
        let root = try TestEnvironment.scratchDirectory()
        try "root only\n".write(toFile: root + "/decoy", atomically: false, encoding: .utf8)
        #expect(symlink(root + "/decoy", root + "/pg_hba.conf") == 0)
        let error = #expect(throws: FileWriteError.self) { try AtomicFileWriter().write(Array("x".utf8), to: root + "/pg_hba.conf", mode: 0o600) }
        #expect(error.map(operatorMessage(for:))?.contains("is a symbolic link") == true)
        #expect(try String(contentsOfFile: root + "/decoy", encoding: .utf8) == "root only\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["decoy", "pg_hba.conf"])
    }

    @Test func aNonRegularFileIsNeverReplaced() throws {
        let root = try TestEnvironment.scratchDirectory()
        // A FIFO in the target's place: reading it for a backup would block forever.
        #expect(mkfifo(root + "/server.key", 0o600) == 0)
        let error = #expect(throws: FileWriteError.self) { try AtomicFileWriter().write([1], to: root + "/server.key", mode: 0o600) }
        #expect(error.map(operatorMessage(for:))?.contains("not a regular file") == true)
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
                                     owner: postgres.fileOwner)
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

private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    func set(_ value: String) { lock.lock(); text = value; lock.unlock() }
    var value: String? { lock.lock(); defer { lock.unlock() }; return text }
}

/// Backup names carry a UTC stamp made without a DateFormatter (it cost a
/// fifth of every record save): the same text as the formatter gives, for
/// dates across years, leap days and the end of a minute.
struct BackupStampTests {
    @Test func theStampIsWhatADateFormatterWrites() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var state: UInt64 = 24
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // 1970 to about 2100, with fractions of a second.
            let date = Date(timeIntervalSince1970: Double(state >> 32) + Double(state & 0xffff) / 65_536)
            #expect(AtomicFileWriter.timestamp(date) == formatter.string(from: date), "\(date.timeIntervalSince1970)")
        }
        let leapDay = Date(timeIntervalSince1970: 1_709_251_199.999) // 2024-02-29T23:59:59.999Z
        #expect(AtomicFileWriter.timestamp(leapDay) == "20240229T235959Z")
    }
}
