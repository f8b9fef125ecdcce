import ClusterFacts
import Executor
import Foundation
import HostIO
import PlanningInputs
import Testing
import TestSupport

/// Children, logs, the state directory and restart targets, against a host
/// where the server's OS user and other local users are not trusted
/// (docs/SECURITY.md, "Children" and "Files").
@Suite(.serialized)
struct HostHygieneTests {
    /// A child started as another user never sees the wizard's secrets: its
    /// environment is built, not inherited.
    @Test func aChildOfAnotherUserNeverSeesTheWizardsPassword() throws {
        try TestEnvironment.requireRoot(for: "running a child as postgres")
        let postgres = try #require(OSUser.named("postgres"))
        let secret = "pgsw-" + UUID().uuidString
        setenv("PGPASSWORD", secret, 1)
        setenv("PGPASSFILE", "/root/" + secret, 1)
        setenv("LD_PRELOAD", "/tmp/" + secret + ".so", 1)
        let output = try ProcessRunner.run("env", [], as: postgres)
        unsetenv("PGPASSWORD")
        unsetenv("PGPASSFILE")
        unsetenv("LD_PRELOAD")
        #expect(output.succeeded && output.stdout.contains("PATH=" + ChildEnvironment.systemPath), "\(output.stdout)")
        #expect(!output.stdout.contains(secret), "nothing of the wizard's environment: \(output.stdout)")
    }

    @Test func theEnvironmentIsBuiltFromTheLocaleAndWhatTheCallerNames() {
        let current = ["PGPASSWORD": "x", "PGSERVICEFILE": "/x", "LD_LIBRARY_PATH": "/evil", "PATH": "/home/u/bin:/usr/bin", "LANG": "C.UTF-8"]
        #expect(ChildEnvironment.make(["PGPASSFILE": "/sandbox/pgpass"], current: current)
                == ["PATH": ChildEnvironment.systemPath, "LANG": "C.UTF-8", "PGPASSFILE": "/sandbox/pgpass"])
    }

    /// As root, a program named without a path comes from fixed system
    /// directories, never from a directory on the caller's PATH.
    @Test func rootNeverTakesAProgramFromThePath() throws {
        try TestEnvironment.requireRoot(for: "the root lookup")
        let directory = try TestEnvironment.scratchDirectory()
        try "#!/bin/sh\necho planted\n".write(toFile: directory + "/openssl", atomically: false, encoding: .utf8)
        chmod(directory + "/openssl", 0o755)
        let saved = ProcessInfo.processInfo.environment["PATH"] ?? ""
        setenv("PATH", directory + ":" + saved, 1)
        let resolved = try ProcessRunner.resolve("openssl")
        setenv("PATH", saved, 1)
        #expect(resolved == "/usr/bin/openssl", "\(resolved)")
    }

    /// A child's log in a directory another user can write: a link planted
    /// there is refused, and the file it points at is not appended to.
    @Test func aLogFileThatIsALinkIsRefused() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let decoy = directory + "/decoy"
        try "untouched\n".write(toFile: decoy, atomically: false, encoding: .utf8)
        #expect(symlink(decoy, directory + "/clients.log") == 0)
        #expect(throws: ProcessError.self) { try ProcessRunner.spawn("/bin/echo", ["appended"], logFile: directory + "/clients.log") }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try String(contentsOfFile: decoy, encoding: .utf8) == "untouched\n")
    }

    /// XDG_STATE_HOME in a directory others can write: a level planted as a
    /// link is refused instead of followed.
    @Test func aStateDirectoryLevelThatIsALinkIsRefused() throws {
        let base = try TestEnvironment.scratchDirectory()
        let elsewhere = try TestEnvironment.scratchDirectory()
        #expect(symlink(elsewhere, base + "/pg-ssl-wizard") == 0)
        let error = #expect(throws: JournalError.self) {
            try StateDirectory.forCluster(systemIdentifier: "7000000000000000001", environment: ["XDG_STATE_HOME": base])
        }
        #expect(error.map(operatorMessage(for:))?.contains("link") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty, "nothing was created through the link")
        let fine = try StateDirectory.forCluster(systemIdentifier: "7000000000000000001", environment: ["XDG_STATE_HOME": base + "/own"])
        var info = stat()
        #expect(lstat(fine.path, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    /// postmaster.pid is the server user's to write: a pid that is not a
    /// postmaster of that user is never restarted.
    @Test func aRestartTargetMustBeThisServersPostmaster() async throws {
        try await TestCluster.with { cluster in
            let pidFile = cluster.dataDirectory + "/postmaster.pid"
            let original = try String(contentsOfFile: pidFile, encoding: .utf8)
            let verified = try Postmaster.verified(dataDirectory: cluster.dataDirectory)
            // The postmaster's binary as the kernel names it (/proc/PID/exe): the real path, whatever link the test started it by.
            let binDirectory = (cluster.local.binaries.directory as NSString).resolvingSymlinksInPath
            #expect(verified.owner.name == cluster.local.owner.name && verified.binDirectory == binDirectory)
            // Another process (this test, run by root) named in postmaster.pid.
            var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines[0] = String(getpid())
            try Self.rewrite(pidFile, lines.joined(separator: "\n"), cluster)
            #expect(throws: ServerRestart.Failure.self) { try ServerRestart.restart(dataDirectory: cluster.dataDirectory) }
            try Self.rewrite(pidFile, original, cluster)
            #expect(try Postmaster.verified(dataDirectory: cluster.dataDirectory).pid == cluster.local.postmasterPID)
        }
    }

    /// Another cluster's postmaster, run by the same OS user, named in this
    /// cluster's postmaster.pid: refused (its working directory is not this data directory).
    @Test func anotherClustersPostmasterIsNotThisOne() async throws {
        try await TestCluster.with { cluster in
            try await TestCluster.with { other in
                let pidFile = cluster.dataDirectory + "/postmaster.pid"
                let original = try String(contentsOfFile: pidFile, encoding: .utf8)
                var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                lines[0] = String(try #require(other.local.postmasterPID))
                try Self.rewrite(pidFile, lines.joined(separator: "\n"), cluster)
                let error = #expect(throws: ServerRestart.Failure.self) { try Postmaster.verified(dataDirectory: cluster.dataDirectory) }
                #expect(error.map(operatorMessage(for:))?.contains("is not working in") == true, "\(String(describing: error))")
                try Self.rewrite(pidFile, original, cluster)
            }
        }
    }

    /// A tree removed as root never follows a link planted in it: the link
    /// goes, what it points at stays.
    @Test func removingATreeNeverFollowsALinkInIt() throws {
        let tree = try TestEnvironment.scratchDirectory()
        let elsewhere = try TestEnvironment.scratchDirectory()
        try "keep me\n".write(toFile: elsewhere + "/precious", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: tree + "/a/b", withIntermediateDirectories: true)
        try "x".write(toFile: tree + "/a/b/file", atomically: false, encoding: .utf8)
        #expect(symlink(elsewhere, tree + "/a/link") == 0)
        #expect(symlink(elsewhere, tree + "/a/b/deeper") == 0)
        HostFile.removeTree(tree)
        #expect(HostFile.kind(tree) == nil, "the tree is gone")
        #expect(try String(contentsOfFile: elsewhere + "/precious", encoding: .utf8) == "keep me\n", "the link's target is untouched")
    }

    /// As root, with no server user to read the server's files as, nothing is read at all (never as root).
    @Test func withoutAServerUserRootReadsNothing() throws {
        try TestEnvironment.requireRoot(for: "the root-only reading rule")
        let directory = try TestEnvironment.scratchDirectory()
        try "host all all 0.0.0.0/0 trust\n".write(toFile: directory + "/pg_hba.conf", atomically: false, encoding: .utf8)
        guard case .failure(let reason, _) = ServerUserFileSource.forServer(owner: nil).read(directory + "/pg_hba.conf") else {
            Issue.record("read as root")
            return
        }
        #expect(reason.contains("server's OS user cannot be told"))
    }

    static func rewrite(_ path: String, _ text: String, _ cluster: TestCluster) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chown(path, cluster.local.owner.uid, cluster.local.owner.gid)
    }
}
