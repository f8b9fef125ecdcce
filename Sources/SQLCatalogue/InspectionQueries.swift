import ClusterFacts

/// The SQL the inspector runs, one statement per fact, chosen by server
/// version where the catalogs differ (docs/POSTGRES.md, "Version differences 13-18"). Every catalog
/// relation and function is written `pg_catalog.`-qualified, on top of the
/// session's pinned search_path (docs/SECURITY.md, "SQL").
public enum InspectionQueries {
    public static let serverFacts = """
        SELECT pg_catalog.current_setting('server_version_num')::int AS version_num,
               pg_catalog.version() AS version_string,
               pg_catalog.pg_is_in_recovery() AS in_recovery,
               extract(epoch FROM pg_catalog.pg_conf_load_time())::float8 AS conf_load_time,
               extract(epoch FROM pg_catalog.pg_postmaster_start_time())::float8 AS postmaster_start_time,
               pg_catalog.current_setting('listen_addresses') AS listen_addresses,
               pg_catalog.current_setting('port')::int AS port
        """

    /// What the STARTTLS handshake alone needs, in one cheap row, read first so
    /// that the handshake runs beside every other read (`HandshakeFacts`). A
    /// setting this version does not have (`ssl_groups` before 18) is NULL.
    public static let handshakeFacts = """
        SELECT pg_catalog.inet_server_addr() IS NULL AS via_socket,
               pg_catalog.current_setting('ssl') AS ssl,
               pg_catalog.current_setting('listen_addresses') AS listen_addresses,
               pg_catalog.current_setting('port')::int AS port,
               COALESCE(\(Setting.keyExchangeGroupNames.map { "pg_catalog.current_setting('\($0)', true)" }.joined(separator: ", "))) AS key_exchange_groups
        """

    /// Restricted to superusers and pg_read_all_stats members on some
    /// versions; the inspector tolerates a permission error.
    public static let systemIdentifier = "SELECT system_identifier::text AS system_identifier FROM pg_catalog.pg_control_system()"

    public static let privileges = """
        SELECT current_user AS role,
               r.rolsuper AS is_superuser,
               pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS read_all_stats,
               pg_catalog.pg_has_role(current_user, 'pg_read_all_settings', 'MEMBER') AS read_all_settings,
               pg_catalog.pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal_backend
        FROM pg_catalog.pg_roles r
        WHERE r.rolname = current_user
        """

    /// Every ssl* setting and the few others plans depend on. Superuser-only
    /// rows (file paths) are simply absent for roles that may not see them.
    public static let settings = """
        SELECT name, setting AS value, context, source, sourcefile AS source_file,
               sourceline AS source_line, pending_restart, boot_val AS boot_value
        FROM pg_catalog.pg_settings
        WHERE name LIKE 'ssl%'
           OR name = ANY ($1::text[])
        ORDER BY name
        """

    public static let extraSettingNames = [
        "listen_addresses", "port", "data_directory", "config_file", "hba_file", "ident_file",
        "allow_alter_system", "log_destination", "logging_collector", "log_directory",
        "log_filename", "wal_retrieve_retry_interval", "password_encryption", "max_connections",
    ]

    public static let fileSettings = """
        SELECT sourcefile AS source_file, sourceline AS source_line, seqno, name,
               setting AS value, applied, error
        FROM pg_catalog.pg_file_settings
        ORDER BY seqno
        """

    /// The rows in the order the server processed them (16+: included files
    /// appear where their include line is). The view has no ORDER BY of its
    /// own, so the function's output order is pinned WITH ORDINALITY.
    public static func hbaFileRules(_ version: ServerVersion) -> String {
        let numbering = version.major >= 16 ? "rule_number, file_name" : "NULL::int AS rule_number, NULL::text AS file_name"
        return """
            SELECT \(numbering), line_number, type, database, user_name,
                   address, netmask, auth_method, options, error
            FROM pg_catalog.pg_hba_file_rules() WITH ORDINALITY
            ORDER BY ordinality
            """
    }

    /// Every server process with what pg_stat_activity, pg_stat_ssl and
    /// pg_stat_gssapi show of it, from one call of the function all three
    /// views are made of (docs/POSTGRES.md, "One function under the three
    /// views"): joined, the views build every backend's row three times and
    /// expand three views, which in `status`'s traced runs made the pipeline
    /// reading them about 2 ms slower. The TLS columns are NULL where there
    /// is no client port, as pg_stat_ssl's rows (client ports only) left them
    /// in the join. Role names come from pg_roles: pg_authid read directly is
    /// a superuser's only. Same columns on 13-18 for what we select (13's
    /// sslcompression is not used).
    public static let sessions = """
        SELECT s.pid, s.backend_type, r.rolname AS "user", d.datname AS database,
               s.application_name, pg_catalog.host(s.client_addr) AS client_address,
               s.client_hostname, s.client_port,
               CASE WHEN s.client_port IS NOT NULL THEN s.ssl END AS ssl,
               CASE WHEN s.client_port IS NOT NULL THEN s.sslversion END AS tls_version,
               CASE WHEN s.client_port IS NOT NULL THEN s.sslcipher END AS cipher,
               CASE WHEN s.client_port IS NOT NULL THEN s.sslbits END AS bits,
               s.client_port IS NOT NULL AND s.ssl_client_dn IS NOT NULL AS client_certificate,
               coalesce(s.client_port IS NOT NULL AND s.gss_enc, false) AS gss_encrypted,
               extract(epoch FROM s.backend_start)::float8 AS backend_start,
               \(SQLText.backendStartMicroseconds("s")) AS backend_start_us,
               s.state
        FROM pg_catalog.pg_stat_get_activity(NULL) s
        LEFT JOIN pg_catalog.pg_database d ON d.oid = s.datid
        LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.usesysid
        ORDER BY s.backend_start NULLS FIRST, s.pid
        """

    /// Every role with its direct members, for `+group` and `samerole`
    /// matching (the matcher computes the transitive closure).
    public static let roleMemberships = """
        SELECT r.rolname AS role,
               coalesce(pg_catalog.array_agg(m.rolname ORDER BY m.rolname) FILTER (WHERE m.rolname IS NOT NULL), '{}') AS members
        FROM pg_catalog.pg_roles r
        LEFT JOIN pg_catalog.pg_auth_members am ON am.roleid = r.oid
        LEFT JOIN pg_catalog.pg_roles m ON m.oid = am.member
        GROUP BY r.rolname
        """

    /// The session facts the wizard needs about itself.
    public static let ownSession = """
        SELECT pg_catalog.pg_backend_pid() AS pid,
               pg_catalog.host(pg_catalog.inet_server_addr()) AS server_address,
               pg_catalog.host(pg_catalog.inet_client_addr()) AS client_address,
               current_user AS role,
               pg_catalog.current_database() AS database
        """

    /// The backend's own pid, over the simple protocol: compared with the one
    /// libpq got from the server's key data before the session is trusted.
    public static let backendPID = "SELECT pg_catalog.pg_backend_pid()"

    /// Timeouts that only some versions know (an unknown `-c` name would
    /// refuse the connection), set once connected.
    public static func sessionTimeouts(serverVersion: Int) -> [String] {
        var statements: [String] = []
        if serverVersion >= 140000 { statements.append("SET idle_session_timeout = 0") }
        if serverVersion >= 170000 { statements.append("SET transaction_timeout = 0") }
        return statements
    }

    /// Reads the pinned search_path back (SHOW is not a function call, so
    /// nothing planted can answer it).
    public static let searchPathCheck = "SHOW search_path"
}
