import PostgresClient
import SQLCatalogue

/// The server's sessions read two ways: the wizard's query
/// (`InspectionQueries.sessions`, one call of pg_stat_get_activity) and the
/// three views joined as a DBA types them, which it must agree with row for
/// row (docs/POSTGRES.md, "One function under the three views"). The views
/// joined are also what psql runs beside `status` in the benchmark.
public enum SessionReadings {
    public static let fromTheViews = """
        SELECT a.pid, a.backend_type, a.usename AS "user", a.datname AS database,
               a.application_name, pg_catalog.host(a.client_addr) AS client_address,
               a.client_hostname, a.client_port,
               s.ssl, s.version AS tls_version, s.cipher, s.bits, s.client_dn IS NOT NULL AS client_certificate,
               coalesce(g.encrypted, false) AS gss_encrypted,
               extract(epoch FROM a.backend_start)::float8 AS backend_start,
               \(SQLText.backendStartMicroseconds("a")) AS backend_start_us,
               a.state
        FROM pg_catalog.pg_stat_activity a
        LEFT JOIN pg_catalog.pg_stat_ssl s ON s.pid = a.pid
        LEFT JOIN pg_catalog.pg_stat_gssapi g ON g.pid = a.pid
        ORDER BY a.backend_start NULLS FIRST, a.pid
        """

    /// Each row as text, in the query's order.
    public static func rows(_ connection: Connection, _ sql: String) throws -> [String] {
        let result = try connection.query(sql)
        return try result.rows.map { row in
            try result.columns.map { column in try row.optionalString(column) ?? "NULL" }.joined(separator: "|")
        }
    }

    /// Both readings in one transaction: one snapshot of the backends
    /// (taken at its first read and kept to its end) and, repeatable read,
    /// one of the catalogs the names come from.
    public static func both(_ connection: Connection) throws -> (function: [String], views: [String]) {
        _ = try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ")
        defer { _ = try? connection.query("COMMIT") }
        return (try rows(connection, InspectionQueries.sessions), try rows(connection, fromTheViews))
    }
}
