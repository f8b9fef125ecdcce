import ClusterFacts

/// The statements the run executes, readable as written, per version where
/// they differ. One place, so the plan, the `--sql` script and the
/// executor show and run the same text.
public enum SQLText {
    public static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    public static func alterSystemSet(_ name: String, _ value: String) -> String {
        "ALTER SYSTEM SET \(name) = \(literal(value))"
    }

    public static func alterSystemReset(_ name: String) -> String { "ALTER SYSTEM RESET \(name)" }

    public static let reload = "SELECT pg_reload_conf()"

    /// Before any reload: any row here means the reload applies no setting
    /// but still loads pg_hba.conf (reference 4.2).
    public static let fileSettingErrors = """
        SELECT sourcefile, sourceline, name, error FROM pg_file_settings WHERE error IS NOT NULL
        """

    /// The server's own parse of the pg_hba.conf on disk (reference 1.9):
    /// errors other than the ssl-off warning, and silent all-NULL failures.
    public static func hbaFileRulesProblems(_ version: ServerVersion) -> String {
        let file = version.major >= 16 ? "file_name, " : ""
        return """
            SELECT \(file)line_number, error FROM pg_hba_file_rules \
            WHERE (error IS NOT NULL AND error <> \(literal(HBAFileRule.sslDisabledWarning))) \
            OR (error IS NULL AND type IS NULL AND auth_method IS NULL)
            """
    }

    /// `pg_terminate_backend(pid, timeout)` waits for the process on 14+.
    public static func terminate(_ pid: Int32, timeoutMilliseconds: Int, version: ServerVersion) -> String {
        version.major >= 14 ? "SELECT pg_terminate_backend(\(pid), \(timeoutMilliseconds))" : "SELECT pg_terminate_backend(\(pid))"
    }

    /// Phase A's proof on the new connection: it is TLS, at which version.
    public static let ownTLS = "SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()"

    /// Confirmation: TCP sessions that are neither TLS nor GSS encrypted.
    public static let plainTCPSessions = """
        SELECT a.pid, a.usename, host(a.client_addr) AS client_address FROM pg_stat_activity a \
        JOIN pg_stat_ssl s USING (pid) LEFT JOIN pg_stat_gssapi g USING (pid) \
        WHERE a.client_port IS NOT NULL AND a.client_port <> -1 AND NOT s.ssl AND NOT coalesce(g.encrypted, false)
        """
}
