import ClusterFacts
import Executor
import Foundation
import HostIO
import PostgresClient
import Testing
import TestSupport

/// Every wizard session pins its search_path (and the settings it parses
/// results with) in the startup packet, where a database owner's or a role's
/// `ALTER ... SET` cannot reach it (docs/SECURITY.md, "SQL").
struct SessionProfileTests {
    @Test func theProfileOutranksDatabaseAndRoleSettings() async throws {
        try await TestCluster.with { cluster in
            try cluster.sql("CREATE DATABASE hostile")
            try cluster.sql("ALTER DATABASE hostile SET search_path = public, pg_catalog")
            try cluster.sql("ALTER DATABASE hostile SET extra_float_digits = -15")
            try cluster.sql("ALTER ROLE CURRENT_USER IN DATABASE hostile SET DateStyle = 'SQL, DMY'")
            let target = try ConnectionTarget(cluster.local.socketConninfo(database: "hostile"))
            let connection = try Connection.connect(target)
            defer { connection.close() }
            let row = try #require(try connection.query(
                "SELECT current_setting('search_path') AS p, current_setting('extra_float_digits') AS f, current_setting('DateStyle') AS d").first)
            #expect(try row.string("p") == "pg_catalog, pg_temp")
            #expect(try row.string("f") == "3")
            #expect(try row.string("d") == "ISO, YMD")
            // Without the wizard's options the database's own settings apply: the pin is what makes the difference.
            let plain = try ProcessRunnerFree.show(cluster, database: "hostile")
            #expect(plain == "public, pg_catalog", "control: \(plain)")
        }
    }

    /// A database owner's `SET role` would run the wizard as that owner, and
    /// a tiny idle_session_timeout would cut it between two statements of a
    /// rollback: neither reaches a wizard session.
    @Test func roleAndIdleTimeoutFromTheDatabaseDoNotApply() async throws {
        try await TestCluster.with { cluster in
            try cluster.sql("CREATE ROLE alice LOGIN")
            try cluster.sql("CREATE DATABASE alicedb OWNER alice")
            try cluster.sql("ALTER DATABASE alicedb SET role = 'alice'")
            try cluster.sql("ALTER DATABASE alicedb SET idle_session_timeout = '1ms'")
            let connection = try Connection.connect(ConnectionTarget(cluster.local.socketConninfo(database: "alicedb")))
            defer { connection.close() }
            usleep(200_000)
            let row = try #require(try connection.query("SELECT current_user AS c, session_user AS s").first)
            #expect(try row.string("c") == row.string("s") && row.string("c") != "alice", "still the session's own role, still connected")
        }
    }

    /// The SET that lifts idle_session_timeout comes after the connection, so
    /// under load a 1 ms timeout could cut a session before it (seen once in
    /// a full suite): the version learned from the first session puts the
    /// timeouts in the startup packet of every later one, and a session cut
    /// before its pin is opened once more that way.
    @Test func aMillisecondIdleTimeoutNeverCutsAWizardSession() async throws {
        try await TestCluster.with { cluster in
            try cluster.sql("CREATE DATABASE quick")
            try cluster.sql("ALTER DATABASE quick SET idle_session_timeout = '1ms'")
            let target = try ConnectionTarget(cluster.local.socketConninfo(database: "quick"))
            for _ in 0..<30 {
                let connection = try Connection.connect(target)
                defer { connection.close() }
                usleep(20_000)
                #expect(try connection.query("SELECT current_setting('idle_session_timeout') AS t").first?.string("t") == "0")
            }
        }
    }

    /// A database owner's client_encoding cannot mangle what the wizard reads (and would write back).
    @Test func clientEncodingStaysUTF8() async throws {
        try await TestCluster.with { cluster in
            try cluster.sql("CREATE DATABASE latin")
            try cluster.sql("ALTER DATABASE latin SET client_encoding = 'LATIN1'")
            let connection = try Connection.connect(ConnectionTarget(cluster.local.socketConninfo(database: "latin")))
            defer { connection.close() }
            #expect(try connection.query("SELECT $1::text AS v", ["données"]).first?.string("v") == "données")
        }
    }

    /// The operator's own `options` stay, ours come after them and win.
    @Test func theOperatorsOptionsAreKept() async throws {
        try await TestCluster.with { cluster in
            let target = try ConnectionTarget(cluster.socketConninfo + " options='-c work_mem=7MB -c search_path=public'")
            let connection = try Connection.connect(target)
            defer { connection.close() }
            let row = try #require(try connection.query("SELECT current_setting('work_mem') AS w, current_setting('search_path') AS p").first)
            #expect(try row.string("w") == "7MB" && row.string("p") == "pg_catalog, pg_temp")
        }
    }

    /// Every switch, as the server's option splitter reads them: a blank in a value escaped, nothing else touched.
    @Test func theStartupOptionsAreTheProfile() {
        #expect(SessionProfile.startupOptions == "-c role=none -c search_path=pg_catalog,\\ pg_temp -c client_encoding=UTF8 -c timezone=UTC "
            + "-c standard_conforming_strings=on -c datestyle=ISO,\\ YMD -c extra_float_digits=3 -c intervalstyle=postgres -c bytea_output=hex "
            + "-c default_transaction_read_only=off -c statement_timeout=0 -c lock_timeout=0 -c idle_in_transaction_session_timeout=0")
        #expect(SessionProfile.options(after: " \t ") == SessionProfile.startupOptions, "blank operator options are none")
    }

    @Test func optionsEscapeBlanks() {
        #expect(SessionProfile.startupOptions.contains("-c search_path=pg_catalog,\\ pg_temp -c client_encoding=UTF8"))
        #expect(SessionProfile.options(after: "-c work_mem=64MB").hasPrefix("-c work_mem=64MB -c role=none -c search_path="))
    }
}

/// psql's own view of a database, without the wizard's profile.
enum ProcessRunnerFree {
    static func show(_ cluster: TestCluster, database: String) throws -> String {
        try ProcessRunner.checked(cluster.local.binaries.path("psql"), [cluster.local.socketConninfo(database: database), "-X", "-At", "-c", "SHOW search_path"],
                                  environment: cluster.local.binaries.serverEnvironment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
