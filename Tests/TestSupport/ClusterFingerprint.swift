import Foundation
import PostgresClient

extension TestCluster {
    /// Directories the server itself rewrites while idle (WAL, statistics,
    /// relation files): left out so that only what an operator or the
    /// wizard could change is compared.
    static let runtimeDirectories: Set<String> = ["base", "global", "pg_wal", "pg_xact", "pg_stat", "pg_stat_tmp", "pg_subtrans",
                                                  "pg_multixact", "pg_logical", "pg_snapshots", "pg_notify", "pg_commit_ts",
                                                  "pg_replslot", "pg_dynshmem", "log"]

    /// Files under the data directory (configuration, certificates, hba),
    /// every setting with its source, the configuration load time (a reload
    /// moves it) and the set of client backends other than the observer's:
    /// equal before and after proves a command changed nothing.
    public func stateFingerprint() throws -> [String] {
        // Lines are "relative/path mode owner hash": the first path component decides.
        let files = TestEnvironment.fingerprint(dataDirectory).filter { line in
            !Self.runtimeDirectories.contains(String(line.prefix { $0 != "/" && $0 != " " }))
        }
        let connection = try superuserConnection()
        defer { connection.close() }
        let settings = try connection.query("SELECT name || '=' || setting || ' (' || source || ')' AS line FROM pg_settings ORDER BY name")
            .rows.map { try $0.string("line") }
        let loaded = try connection.query("SELECT pg_conf_load_time()::text AS t").rows.map { "conf_load_time " + (try $0.string("t")) }
        let backends = try connection.query("""
            SELECT pid::text || ' ' || backend_type || ' ' || backend_start::text AS line FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND backend_type IN ('client backend', 'walsender') ORDER BY pid
            """).rows.map { "backend " + (try $0.string("line")) }
        return files.map { "file " + $0 } + settings + loaded + backends
    }
}
