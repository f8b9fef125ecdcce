import ClusterFacts
import Foundation
import HostIO
import Testing
import TestSupport
@testable import PlanningInputs

/// The server's log files are read only when they are the server OS user's
/// own regular files with one name, off /proc and /sys (docs/SECURITY.md,
/// "Log injection"): a log_directory pointed at root's files, a hard link
/// to one, or a kernel file is refused before a byte is read.
@Suite(.serialized) struct LogFileCheckTests {
    @Test func onlyTheServerUsersOwnSingleNamedFilesAreRead() throws {
        try TestEnvironment.requireRoot(for: "files of two owners")
        let postgres = try #require(OSUser.named("postgres"))
        let directory = "/tmp/pgsw-logcheck-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let own = directory + "/postgresql.log", roots = directory + "/root-only.log", second = directory + "/link.log"
        FileManager.default.createFile(atPath: own, contents: Data("x\n".utf8))
        FileManager.default.createFile(atPath: roots, contents: Data("secret\n".utf8), attributes: [.posixPermissions: 0o600])
        chown(own, postgres.uid, postgres.gid)

        #expect(LogFileCheck.problem(try HostFile.open(own), owner: postgres.uid) == nil)
        #expect(LogFileCheck.problem(try HostFile.open(roots), owner: postgres.uid)?.contains("not to the server's OS user") == true)
        #expect(LogFileCheck.problem(try HostFile.open(roots), owner: nil) == nil, "a file the operator names may be anyone's")
        #expect(Glibc.link(own, second) == 0)
        #expect(LogFileCheck.problem(try HostFile.open(own), owner: postgres.uid)?.contains("hard link") == true)
        #expect(LogFileCheck.problem(try HostFile.open("/proc/self/status"), owner: nil)?.contains("kernel file") == true)
    }
}
