import ClusterFacts
import Enforcement
import Executor
import Foundation
import PostgresClient
import SQLCatalogue
import Testing
import TestSupport

/// What 13 does differently, on a real 13 server (a build without SSL, so
/// these checks stay on plain TCP): the refusal ends in "SSL off",
/// pg_terminate_backend takes no timeout, and pg_stat_ssl still has its
/// compression column, which the session query must not depend on.
@Suite(.serialized) struct PostgreSQL13Tests {
    static func cluster() throws -> TestCluster {
        try TestCluster.start(binaries: try TestServers.binaries(major: 13))
    }

    @Test func theRefusalEndsInSSLOffAndCountsAsPlainText() async throws {
        let cluster = try Self.cluster()
        defer { cluster.destroy() }
        try cluster.writeHBA("local all all trust\nhost all all 10.0.0.0/8 scram-sha-256\n")
        try cluster.reload()
        let target = try ConnectionTarget(cluster.tcpConninfo(sslmode: "disable"))
        try cluster.waitFor("the rules to load") {
            if case .refused = PlainTextRefusal.test(target) { return true }
            return false
        }
        guard case .refused(let message) = PlainTextRefusal.test(target) else { return }
        #expect(message.contains("database \"postgres\", SSL off") && !message.contains("no encryption"), "13's wording: \(message)")
    }

    @Test func terminationWithoutATimeout() async throws {
        let cluster = try Self.cluster()
        defer { cluster.destroy() }
        let sessions = try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "plain")
        let observer = try cluster.superuserConnection()
        defer { observer.close() }
        // The 14+ form does not exist on 13.
        #expect(throws: PostgresError.self) {
            try observer.query(SQLText.terminate(sessions[0].backendPID, backendStartMicroseconds: nil, timeoutMilliseconds: 1000,
                                                 version: ServerVersion(major: 14)))
        }
        #expect(SQLText.terminate(sessions[0].backendPID, backendStartMicroseconds: nil, timeoutMilliseconds: 1000, version: cluster.version)
                == "SELECT pg_catalog.pg_terminate_backend(\(sessions[0].backendPID))")
        // The starts as a plan reads them (13: float8 seconds, made exact microseconds), taken by the step.
        let pids = sessions.map(\.backendPID)
        let starts = try ServerInspector(connection: observer).readSessions().filter { pids.contains($0.pid) }
            .reduce(into: SessionTermination.BackendStarts()) { $0[$1.pid] = $1.backendStartMicroseconds }
        #expect(starts.count == 2, "each session has its start: \(starts)")
        let signalled = try observer.query(SQLText.terminate(pids[0], backendStartMicroseconds: starts[pids[0]], timeoutMilliseconds: 1000,
                                                             version: cluster.version))
        #expect(try signalled.rows.map { try $0.bool("pg_terminate_backend") } == [true], "the script's form on 13 names the backend by its start")
        let remaining = try SessionTermination.terminate(observer, pids, weakVersions: [], timeoutMilliseconds: 3000, version: cluster.version,
                                                         starts: starts)
        #expect(remaining.isEmpty)
        let left = try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'plain'")
        #expect(try left.rows.first?.int32("n") == 0)
    }

    @Test func statusReadsSessionsDespiteTheCompressionColumn() async throws {
        let cluster = try Self.cluster()
        defer { cluster.destroy() }
        let columns = try cluster.sql("SELECT string_agg(attname, ',' ORDER BY attnum) AS names FROM pg_attribute WHERE attrelid = 'pg_stat_ssl'::regclass AND attnum > 0")
        #expect(try columns.rows.first?.optionalString("names")?.contains("compression") == true, "13's pg_stat_ssl has compression")
        try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain")
        let status = try Wizard.run(["status", cluster.socketConninfo, "--json"])
        #expect(status.exitCode == 2, "ssl off: \(status.stdout)\n\(status.stderr)")
        #expect(status.stdout.contains("\"plain\""), "the plain session is listed: \(status.stdout)")
    }
}
