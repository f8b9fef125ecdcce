import Executor
import Foundation
import HostIO
import PostgresClient
import Testing
import TestSupport

/// A restart through pg_ctl as the data directory's owner, with the
/// postmaster's own binaries and log file, and the reconnect after it.
struct ServerRestartTests {
    @Test func restartKeepsTheLogFileAndTheServerComesBack() async throws {
        try await TestCluster.with { cluster in
            let started = try cluster.sql("SELECT pg_postmaster_start_time()::text AS t").rows.first?.string("t")
            let pid = try #require(Postmaster.pid(dataDirectory: cluster.dataDirectory))
            #expect(Postmaster.stderrFile(pid: pid) == cluster.local.logFile, "the log is found through the postmaster's stderr")
            let how = try ServerRestart.restart(dataDirectory: cluster.dataDirectory)
            #expect(how.hasPrefix("pg_ctl restart as "), "\(how)")
            let connection = try ServerRestart.reconnect(ConnectionTarget(cluster.socketConninfo))
            defer { connection.close() }
            #expect(try connection.query("SELECT pg_postmaster_start_time()::text AS t").rows.first?.string("t") != started)
            let log = try String(contentsOfFile: cluster.local.logFile, encoding: .utf8)
            #expect(log.components(separatedBy: "database system is ready to accept connections").count == 3,
                    "the restarted server writes to the same log")
        }
    }

    /// A postmaster whose output goes to no file (here /dev/null) is
    /// restarted with /dev/null again. Without `-l` the new postmaster took
    /// pg_ctl's output, the wizard's own deleted temporary files, and wrote
    /// its log there unseen for the rest of its life: failed so before.
    @Test func aServerWithoutALogFileDoesNotKeepTheWizardsFiles() async throws {
        try await TestCluster.with { cluster in
            let owner = cluster.local.owner
            let binaries = cluster.local.binaries
            _ = try ProcessRunner.checked(binaries.path("pg_ctl"), ["-D", cluster.dataDirectory, "-m", "fast", "-w", "-l", "/dev/null", "restart"],
                                          as: owner.isCurrent ? nil : owner, environment: binaries.serverEnvironment)
            let before = try #require(Postmaster.pid(dataDirectory: cluster.dataDirectory))
            #expect(Postmaster.stderrFile(pid: before) == nil)
            _ = try ServerRestart.restart(dataDirectory: cluster.dataDirectory)
            let connection = try ServerRestart.reconnect(ConnectionTarget(cluster.socketConninfo))
            connection.close()
            let pid = try #require(Postmaster.pid(dataDirectory: cluster.dataDirectory))
            #expect(pid != before)
            for descriptor in [1, 2] {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)")) ?? ""
                #expect(target == "/dev/null", "descriptor \(descriptor) of the new postmaster: \(target)")
            }
        }
    }

    /// A relocatable build (the matrix's 18) runs with LD_LIBRARY_PATH to its
    /// own lib; the restarted postmaster must keep it.
    @Test func aRelocatableBuildKeepsItsLibraryPathAcrossTheRestart() async throws {
        let binaries = try TestServers.binaries(major: 18)
        let expected = try #require(binaries.serverEnvironment["LD_LIBRARY_PATH"])
        try await TestCluster.with(binaries: binaries) { cluster in
            _ = try ServerRestart.restart(dataDirectory: cluster.dataDirectory)
            let connection = try ServerRestart.reconnect(ConnectionTarget(cluster.socketConninfo))
            connection.close()
            let pid = try #require(cluster.local.postmasterPID)
            let environ = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/environ"))
            let entries = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            #expect(entries.contains("LD_LIBRARY_PATH=\(URL(fileURLWithPath: expected).resolvingSymlinksInPath().path)"), "\(entries.filter { $0.hasPrefix("LD_") })")
        }
    }
}
