import Foundation
import HostIO
import Sandbox
import Testing
import TestSupport

/// What every local cluster (a test's, a benchmark's, a practice sandbox's)
/// opens on this machine while it runs: its servers run as the postgres OS
/// user and let local logins in without a password, and the tests' listen on
/// loopback with a superuser password. Another local user who got in as the
/// superuser could run programs as that OS user (`COPY ... TO PROGRAM`),
/// who often owns a real cluster here too.
struct LocalClusterAccessTests {
    @Test func anotherLocalUserCannotLogInToATestCluster() async throws {
        try TestEnvironment.requireRoot(for: "test clusters run as the postgres OS user; the look is as nobody")
        let stranger = try #require(OSUser.named("nobody"), "a `nobody` user")
        try await TestCluster.with { cluster in
            let psql = cluster.local.binaries.path("psql")
            // Through the socket, with no password at all (`local all all trust`).
            let socket = try ProcessRunner.run(psql, [cluster.socketConninfo, "-X", "-At", "-c", "SELECT 1"], as: stranger, timeoutSeconds: 30)
            #expect(socket.exitCode != 0 && socket.stderr.contains("Permission denied"),
                    "\(stranger.name) logged in through \(cluster.local.socketDirectory): \(socket.stdout) \(socket.stderr)")
            // Over loopback, with the password the fixture once wrote in its source.
            let loopback = try ProcessRunner.run(psql, [cluster.tcpConninfo(password: "fixture-secret-pw"), "-X", "-At", "-c", "SELECT 1"],
                                                 as: stranger, timeoutSeconds: 30)
            #expect(loopback.exitCode != 0 && loopback.stderr.contains("password authentication failed"),
                    "\(stranger.name) logged in over loopback: \(loopback.stdout) \(loopback.stderr)")
            // Nor with another test cluster's password, which its children's command lines show
            // to every local user (/proc/<pid>/cmdline) while they run.
            try await TestCluster.with { other in
                let shown = other.local.superuserPassword
                let borrowed = try ProcessRunner.run(psql, [cluster.tcpConninfo(password: shown), "-X", "-At", "-c", "SELECT 1"],
                                                     as: stranger, timeoutSeconds: 30)
                #expect(borrowed.exitCode != 0 && borrowed.stderr.contains("password authentication failed"),
                        "another cluster's password let \(stranger.name) in: \(borrowed.stdout) \(borrowed.stderr)")
            }
            // The server's user still gets in (its tools), and so does root (the tests, the wizard).
            let owner = try ProcessRunner.run(psql, [cluster.socketConninfo, "-X", "-At", "-c", "SELECT 1"], as: cluster.local.owner, timeoutSeconds: 30)
            #expect(owner.exitCode == 0 && owner.stdout.contains("1"), "\(owner.stderr)")
            #expect(try cluster.sql("SELECT 1 AS one").rows.first?.int32("one") == 1)
        }
    }

    /// Tests that need a server letting everyone in over TCP (a probe that
    /// logs in, an impostor) get it on a lab's loopback, which no other local
    /// user reaches; on the host's 127.0.0.1 the fixture refuses such a rule.
    /// Before, five tests wrote `host ... 127.0.0.1/32 trust` there.
    @Test func aTrustRuleOverTCPIsOnALoopbackOfItsOwn() async throws {
        try TestEnvironment.requireRoot(for: "test clusters run as the postgres OS user; the look is as nobody")
        let stranger = try #require(OSUser.named("nobody"), "a `nobody` user")
        let trusting = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        try await TestCluster.with { cluster in
            #expect(throws: TestCluster.OpenToEveryLocalUser.self) { try cluster.writeHBA(trusting) }
            #expect(!cluster.hbaText.contains("127.0.0.1/32 trust"), "the rule was written: \(cluster.hbaText)")
            // Quoted, the method is the same to the server: the reload reads the rules as it does.
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 \"trust\"\n")
            #expect(throws: TestCluster.OpenToEveryLocalUser.self) { try cluster.reload() }
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
            try cluster.reload()
        }
        let lab = try NetworkLab.create(clients: 0)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            try cluster.writeHBA(trusting)
            try cluster.reload()
            let psql = cluster.local.binaries.path("psql")
            let conninfo = "host=127.0.0.1 port=\(cluster.port) user=postgres dbname=postgres sslmode=disable"
            let inside = try InNetworkNamespace.run(lab.serverNamespace) {
                try ProcessRunner.run(psql, [conninfo, "-X", "-At", "-c", "SELECT 1"], timeoutSeconds: 30)
            }
            #expect(inside.exitCode == 0 && inside.stdout.contains("1"), "the test itself gets in: \(inside.stderr)")
            let outside = try ProcessRunner.run(psql, [conninfo, "-X", "-At", "-c", "SELECT 1"], as: stranger, timeoutSeconds: 30)
            #expect(outside.exitCode != 0, "\(stranger.name) logged in over the host's loopback: \(outside.stdout)")
        }
    }

    /// What fails inside the lab is the test's own failure, and the thread
    /// comes back to the host's network. Run on a thread of its own, an issue
    /// recorded inside belonged to no test (a failed `#require` let the test
    /// pass); shown failing so before.
    @Test func whatFailsInsideTheLabIsTheTestsOwn() throws {
        let lab = try NetworkLab.create(clients: 0)
        defer { lab.destroy() }
        let home = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/net")
        var inside = ""
        withKnownIssue("recorded inside the lab, on purpose") {
            try InNetworkNamespace.run(lab.serverNamespace) {
                inside = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/net")
                Issue.record("inside the lab")
            }
        }
        #expect(!inside.isEmpty && inside != home, "the body ran in the lab's network: \(inside) vs \(home)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/net") == home, "and the thread is back")
    }

    /// The harness's directories under /tmp were named by the pid and a
    /// counter, and one already there was taken as it stood: another local
    /// user could make the next ones first, and root wrote in theirs. Failed
    /// so before: the planted directory came back, nobody's.
    @Test func aDirectoryAnotherUserMadeFirstIsNotTaken() throws {
        try TestEnvironment.requireRoot(for: "directories of another user's")
        let stranger = try #require(OSUser.named("nobody"), "a `nobody` user")
        let first = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: first) }
        // What the old names were: /tmp/pgsw-test-<pid>-<n>; plant the next ones.
        let counter = try #require(first.split(separator: "-").dropFirst(3).first.flatMap { Int($0) }, "a counter in \(first)")
        let planted = (1...64).map { "/tmp/pgsw-test-\(getpid())-\(counter + $0)" }
        for path in planted {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            #expect(chown(path, stranger.uid, stranger.gid) == 0)
        }
        defer { planted.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let next = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: next) }
        var info = stat()
        #expect(lstat(next, &info) == 0 && info.st_uid == 0 && !planted.contains(next), "\(next) is uid \(info.st_uid)'s")
    }
}
