import Foundation
import HostIO
import Testing
import TestSupport

/// Looking at files as the server's OS user from a forked child: what that
/// user may read is read whole, what it may not is refused with the
/// server's words, and the child carries nothing of the wizard with it.
struct FilesAsUserTests {
    static func serverUser() throws -> OSUser {
        try TestEnvironment.requireRoot(for: "reading as another user")
        guard let user = OSUser.named("postgres") else {
            throw TestEnvironment.Missing(description: "no postgres OS user (make test installs the server packages)")
        }
        return user
    }

    @Test func whatTheUserMayReadIsReadWhole() throws {
        let user = try Self.serverUser()
        let directory = try TestEnvironment.scratchDirectory()
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(FileManager.default.createFile(atPath: directory + "/big", contents: Data(bytes)))
        chmod(directory + "/big", 0o644)
        guard case .success(let read) = FilesAsUser.read(directory + "/big", as: user) else {
            Issue.record("not read")
            return
        }
        #expect(read == bytes)
    }

    @Test func aRootOnlyFileAndALinkToItAreRefusedAsTheServerWouldBe() throws {
        let user = try Self.serverUser()
        let directory = try TestEnvironment.scratchDirectory()
        try "root's secret\n".write(toFile: directory + "/secret", atomically: false, encoding: .utf8)
        chmod(directory + "/secret", 0o600)
        #expect(symlink(directory + "/secret", directory + "/link") == 0)
        for path in [directory + "/secret", directory + "/link"] {
            guard case .failure(let failure) = FilesAsUser.read(path, as: user) else {
                Issue.record("\(path) was read as \(user.name)")
                continue
            }
            #expect(failure == FileAsUserFailure(reason: "Permission denied", missing: false))
        }
        guard case .failure(let missing) = FilesAsUser.read(directory + "/absent", as: user) else {
            Issue.record("an absent file was read")
            return
        }
        #expect(missing == FileAsUserFailure(reason: "No such file or directory", missing: true))
    }

    /// Debian's packages put the server's user in ssl-cert: a key readable
    /// by that group is readable by the server, so by the look as well.
    @Test func theUsersSupplementaryGroupsCount() throws {
        let user = try Self.serverUser()
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: 64)
        _ = getgrouplist(user.name, user.gid, &groups, &count)
        guard let supplementary = groups.prefix(Int(count)).first(where: { $0 != user.gid }) else {
            throw TestEnvironment.Missing(description: "the postgres OS user has no supplementary group (ssl-cert on Debian)")
        }
        let directory = try TestEnvironment.scratchDirectory()
        try "group only\n".write(toFile: directory + "/grouped", atomically: false, encoding: .utf8)
        chown(directory + "/grouped", 0, supplementary)
        chmod(directory + "/grouped", 0o640)
        guard case .success(let read) = FilesAsUser.read(directory + "/grouped", as: user) else {
            Issue.record("a file of group \(supplementary) was refused")
            return
        }
        #expect(String(decoding: read, as: UTF8.self) == "group only\n")
    }

    @Test func aDirectoryIsListedAndOnlyRegularFilesCountAsFiles() throws {
        let user = try Self.serverUser()
        let directory = try TestEnvironment.scratchDirectory()
        for name in ["b.conf", "a.conf", "with space"] { try "x\n".write(toFile: directory + "/" + name, atomically: false, encoding: .utf8) }
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
        guard case .success(let names) = FilesAsUser.list(directory, as: user) else {
            Issue.record("not listed")
            return
        }
        #expect(Set(names) == ["a.conf", "b.conf", "with space", "sub"])
        #expect(FilesAsUser.isRegularFile(directory + "/a.conf", as: user))
        #expect(!FilesAsUser.isRegularFile(directory + "/sub", as: user))
        #expect(!FilesAsUser.isRegularFile(directory + "/absent", as: user))
    }

    /// The reader starts as a copy of the wizard: once it reads as the
    /// server's user it must hold none of its descriptors (connections, the
    /// journal) and none of its environment (a password in PGPASSWORD): a
    /// planted `include /proc/self/environ` would otherwise be read back.
    @Test func theReaderHoldsNothingOfTheWizards() throws {
        let user = try Self.serverUser()
        let directory = try TestEnvironment.scratchDirectory()
        let held = (0..<12).map { open(directory + "/held-\($0)", O_CREAT | O_RDWR, 0o600) }
        defer { held.forEach { close($0) } }
        setenv("PGSW_TEST_SECRET", "do-not-show-me", 1)
        defer { unsetenv("PGSW_TEST_SECRET") }
        guard case .success(let environment) = FilesAsUser.read("/proc/self/environ", as: user) else {
            Issue.record("/proc/self/environ not read")
            return
        }
        #expect(environment.isEmpty, "the reader's environment: \(String(decoding: environment, as: UTF8.self))")
        guard case .success(let names) = FilesAsUser.list("/proc/self/fd", as: user) else {
            Issue.record("/proc/self/fd not listed")
            return
        }
        // Its standard output and error, and what the lister itself opens; none of the twelve held here.
        #expect(names.count <= 5 && names.allSatisfy { (Int($0) ?? 99) < 6 }, "\(names), held: \(held)")
    }

    @Test func aFileThatNeverEndsIsCutOff() throws {
        let user = try Self.serverUser()
        let directory = try TestEnvironment.scratchDirectory()
        #expect(symlink("/dev/zero", directory + "/endless") == 0)
        guard case .failure(let failure) = FilesAsUser.read(directory + "/endless", as: user) else {
            Issue.record("an endless file was read whole")
            return
        }
        #expect(failure.reason == "larger than 64 MiB")
    }

    @Test func aReaderStuckOnAFIFOIsStoppedAtTheDeadline() throws {
        let user = try Self.serverUser()
        let directory = try TestEnvironment.scratchDirectory()
        #expect(mkfifo(directory + "/fifo", 0o666) == 0)
        chmod(directory + "/fifo", 0o666)
        let started = Date()
        guard case .failure(let failure) = FilesAsUser.read(directory + "/fifo", as: user, timeoutSeconds: 0.5) else {
            Issue.record("a FIFO with no writer gave bytes")
            return
        }
        #expect(failure.reason.contains("no answer"))
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
