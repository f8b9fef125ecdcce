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

    public static let reload = "SELECT pg_catalog.pg_reload_conf()"

    /// The revert watchdog's queries are short: none may hang it (and the run's lock) for good.
    public static let watchdogStatementTimeout = "SET statement_timeout = '30s'"

    /// Before any reload: any row here means the reload applies no setting
    /// but still loads pg_hba.conf (docs/POSTGRES.md, "Reload and its failure modes").
    public static let fileSettingErrors = """
        SELECT sourcefile, sourceline, name, error FROM pg_catalog.pg_file_settings WHERE error IS NOT NULL
        """

    /// The server's own parse of the pg_hba.conf on disk (docs/POSTGRES.md,
    /// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi"):
    /// errors other than the ssl-off warning, and silent all-NULL failures.
    public static func hbaFileRulesProblems(_ version: ServerVersion) -> String {
        let file = version.major >= 16 ? "file_name, " : ""
        return """
            SELECT \(file)line_number, error FROM pg_catalog.pg_hba_file_rules \
            WHERE (error IS NOT NULL AND error <> \(literal(HBAFileRule.sslDisabledWarning))) \
            OR (error IS NULL AND type IS NULL AND auth_method IS NULL)
            """
    }

    /// `pg_terminate_backend(pid, timeout)` waits for the process on 14+.
    /// With the backend's start (`backendStartMicroseconds`), the pid is
    /// signalled only while that backend holds it (`samePlannedBackend`):
    /// the form `plan --sql` prints, which may be run long after the plan,
    /// and the executor's second signal to a session slow to exit.
    public static func terminate(_ pid: Int32, backendStartMicroseconds start: Int64?, timeoutMilliseconds: Int,
                                 version: ServerVersion) -> String {
        let call = version.major >= 14 ? "pg_catalog.pg_terminate_backend(\(pid), \(timeoutMilliseconds))" : "pg_catalog.pg_terminate_backend(\(pid))"
        guard let start else { return "SELECT " + call }
        return "SELECT \(call) FROM pg_catalog.pg_stat_activity a WHERE a.pid OPERATOR(pg_catalog.=) \(pid) AND \(backendStartMicroseconds("a")) OPERATOR(pg_catalog.=) \(start)"
    }

    /// Phase A's proof on the new connection: it is TLS, at which version.
    public static let ownTLS = "SELECT ssl, version, cipher FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()"

    /// Where the server keeps its data and listens: with the preflight's
    /// system identifier, as much as the server can say that a new
    /// connection reached the run's own cluster (a standby promoted elsewhere
    /// shares the identifier, and may share these too).
    public static let serverPlace = "SELECT pg_catalog.current_setting('data_directory') AS data_directory, pg_catalog.current_setting('port')::int AS port"

    /// The run's preflight on its own connection: the same cluster, a primary, a superuser.
    public static let preflight = """
        SELECT (SELECT system_identifier::text FROM pg_catalog.pg_control_system()) AS id,
               pg_catalog.pg_is_in_recovery() AS recovery,
               (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS superuser
        """

    /// Live SSL values, the values ALTER SYSTEM wrote (pending a reload), and the load time: the journal's fingerprint.
    public static let settingsFingerprint = """
        SELECT 'live:' || name AS k, setting AS v FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])
        UNION ALL SELECT 'file:' || name, setting FROM pg_catalog.pg_file_settings
         WHERE name = ANY($1::text[]) AND sourcefile LIKE '%postgresql.auto.conf'
        UNION ALL SELECT 'conf_load_time', pg_catalog.pg_conf_load_time()::text
        """

    /// Current values of the named settings.
    public static let settingValues = "SELECT name, setting FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])"

    /// When this backend last loaded the configuration (a fresh backend: when the postmaster did).
    public static let confLoadTime = "SELECT extract(epoch FROM pg_catalog.pg_conf_load_time())::float8 AS t"

    /// Rows of the server's parse of the pg_hba.conf on disk (zero: the file would not load).
    public static let hbaRuleCount = "SELECT pg_catalog.count(*)::int AS n FROM pg_catalog.pg_hba_file_rules"

    /// Standbys (by application_name) streaming over SSL.
    public static let standbysStreamingOverSSL = """
        SELECT r.application_name FROM pg_catalog.pg_stat_replication r JOIN pg_catalog.pg_stat_ssl s USING (pid)
        WHERE s.ssl AND r.state = 'streaming'
        """

    /// Of the given pids, the TCP sessions still in plain text, or on a TLS
    /// version in $2, a comma-separated list (below the floor the run set):
    /// never the caller's own backend, a unix-socket or a GSS-encrypted
    /// session, nor one that started at another moment than $3 says (see
    /// `samePlannedBackend`). What the terminate step says is still there when its statement failed.
    public static let stillExposedAmong = """
        SELECT a.pid FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_stat_ssl s USING (pid)
        LEFT JOIN pg_catalog.pg_stat_gssapi g USING (pid)
        WHERE a.pid = ANY($1::int[]) AND a.pid <> pg_catalog.pg_backend_pid()
          AND \(samePlannedBackend(pids: "$1", starts: "$3"))
          AND a.client_port IS NOT NULL AND a.client_port <> -1
          AND NOT coalesce(g.encrypted, false)
          AND (NOT s.ssl OR s.version = ANY(pg_catalog.string_to_array($2::text, ',')))
        ORDER BY a.pid
        """

    /// The terminate step's one statement (docs/POSTGRES.md, "Ending a
    /// session between transactions"): of the given pids still exposed (as
    /// in `stillExposedAmong`), ends those outside a transaction now, with
    /// walsenders (never between transactions) and, when $3 is true (the
    /// grace is over), all the rest.
    ///
    /// The look at every session is one function scan without joins; a
    /// session it saw idle is looked at once more, alone, right before its
    /// signal, and signalled only if still idle. That second look must be
    /// fresh: the clear of the transaction's statistics snapshot sits in
    /// the function's argument, an expression of the session's pid, which
    /// is evaluated again for every session. Moved into a FROM list, even
    /// of a subquery that names the pid, the clear would run once and later
    /// sessions would be read from the old snapshot (`SessionTerminationTests`
    /// checks the plan). The signal comes first in the select list, the
    /// descriptions after it.
    public static let endExposedAtBoundary = """
        SELECT CASE WHEN $3::boolean OR a.backend_type <> 'client backend' THEN pg_catalog.pg_terminate_backend(a.pid)
                    WHEN a.state = 'idle' AND (
                        SELECT fresh.state = 'idle'
                        FROM pg_catalog.pg_stat_get_activity(
                                 a.pid + 0 * pg_catalog.length(pg_catalog.pg_stat_clear_snapshot()::text)) fresh
                        WHERE fresh.pid = a.pid AND fresh.backend_start = a.backend_start)
                    THEN pg_catalog.pg_terminate_backend(a.pid)
                    ELSE false END AS signalled,
               a.pid, a.backend_type, a.state,
               EXTRACT(epoch FROM pg_catalog.clock_timestamp() - a.xact_start)::float8 AS transaction_seconds,
               pg_catalog.pg_get_userbyid(a.usesysid) AS usename, a.application_name, pg_catalog.host(a.client_addr) AS client_address
        """ + "\n" + exposedAmongScan + "\nORDER BY a.pid"

    /// The sessions `endExposedAtBoundary` looks at, as `a`, from one scan
    /// of the status function: of the pids $1, those still over TCP in
    /// plain text or on a TLS version in $2 (comma-separated), never the
    /// caller's own, nor one that started at another moment than $4 says.
    public static let exposedAmongScan = """
        FROM pg_catalog.pg_stat_get_activity(NULL) a
        WHERE a.pid = ANY($1::int[]) AND a.pid <> pg_catalog.pg_backend_pid()
          AND \(samePlannedBackend(pids: "$1", starts: "$4"))
          AND a.client_port IS NOT NULL AND a.client_port <> -1
          AND NOT coalesce(a.gss_enc, false)
          AND (NOT a.ssl OR a.sslversion = ANY(pg_catalog.string_to_array($2::text, ',')))
        """

    /// The observation window: client backends and walsenders over TCP in
    /// plain text that started at or after $1 (when SSL was already offered).
    /// A connection 18 shows as `starting` has no user yet: one that gets in
    /// is seen on a later look, with its user.
    public static let plainSessionsSince = """
        SELECT a.pid, a.usename, a.datname, a.application_name, pg_catalog.host(a.client_addr) AS client_address,
               a.backend_type, a.backend_start
        FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_stat_ssl s USING (pid)
        LEFT JOIN pg_catalog.pg_stat_gssapi g USING (pid)
        WHERE a.client_port IS NOT NULL AND a.client_port <> -1 AND NOT s.ssl AND NOT coalesce(g.encrypted, false)
          AND a.backend_type IN ('client backend', 'walsender') AND a.backend_start >= $1::timestamptz
          AND a.state IS DISTINCT FROM 'starting'
          AND a.pid <> pg_catalog.pg_backend_pid()
        """

    /// When SSL was offered from, as the server's clock sees it: its last
    /// configuration load (phase A's reload) and the time now.
    public static let sslOfferedSince = "SELECT pg_catalog.pg_conf_load_time()::text AS loaded, pg_catalog.clock_timestamp()::text AS now"

    /// The settings that say where the server logs and what its lines look like.
    public static let logSettings = """
        SELECT name, setting FROM pg_catalog.pg_settings
        WHERE name IN ('log_connections', 'log_line_prefix', 'log_timezone', 'log_destination', 'logging_collector', 'log_directory')
        """

    /// Which of the given pids still exist, as the backends `$2` says they started (`samePlannedBackend`).
    public static let stillPresent = """
        SELECT a.pid FROM pg_catalog.pg_stat_activity a
        WHERE a.pid = ANY($1::int[]) AND \(samePlannedBackend(pids: "$1", starts: "$2"))
        ORDER BY a.pid
        """

    /// A backend's start as the server's microseconds since 1970: exact on
    /// 13 (float8 seconds, rounded) and 14+ (numeric), so that the plan's
    /// reading and the terminate step's compare equal for the same backend.
    /// The operators are named with their schema: pg_catalog has no `*` for
    /// (numeric, integer) nor (float8, integer), so one planted elsewhere
    /// would be an exact match and win wherever it is on the path, which a
    /// script run by hand (`plan --sql`) does not pin.
    public static func backendStartMicroseconds(_ alias: String) -> String {
        "(EXTRACT(epoch FROM \(alias).backend_start) OPERATOR(pg_catalog.*) 1000000)::bigint"
    }

    /// The session `a` is the backend the plan saw under its pid: its start
    /// is the one at the pid's place in `starts` (a bigint[] aligned with
    /// `pids`), or that place is NULL or missing (nothing known: a record
    /// written before starts were kept). A pid is reused once its backend
    /// has exited, and a `resume` may come hours after the plan: the
    /// session under the number then may be one the run must not touch
    /// (docs/POSTGRES.md, "Ending a session between transactions"). A start
    /// the server does not show (NULL) is no match. As of the statement's
    /// look: the signal itself names the pid. An
    /// expression of the row, no join: the scan stays one function scan.
    /// `bigint`, a keyword, not `int8`, a name search_path would resolve.
    static func samePlannedBackend(pids: String, starts: String) -> String {
        let planned = "(\(starts)::bigint[])[pg_catalog.array_position(\(pids)::int[], a.pid)]"
        return "(\(planned) IS NULL OR \(planned) OPERATOR(pg_catalog.=) \(backendStartMicroseconds("a")))"
    }

    /// Confirmation: TCP sessions that are neither TLS nor GSS encrypted. A
    /// connection 18 shows as `starting` is a login in progress, whose
    /// encryption is not shown yet: those from before the hostssl rules are
    /// `attemptsBefore` (docs/POSTGRES.md, "18 lists connections still authenticating").
    public static let plainTCPSessions = """
        SELECT a.pid, a.usename, pg_catalog.host(a.client_addr) AS client_address FROM pg_catalog.pg_stat_activity a \
        JOIN pg_catalog.pg_stat_ssl s USING (pid) LEFT JOIN pg_catalog.pg_stat_gssapi g USING (pid) \
        WHERE a.client_port IS NOT NULL AND a.client_port <> -1 AND NOT s.ssl AND NOT coalesce(g.encrypted, false) \
          AND a.state IS DISTINCT FROM 'starting'
        """

    /// Right after the hostssl reload and at the confirmation, 18: TCP
    /// logins in progress that began before it (`attemptsBefore`), and so
    /// meet the old rules, which may admit them in plain text, and that have
    /// been at it for a second or more ($2): signalled whatever they turn out
    /// to be (their encryption is not shown yet), all at once. A login
    /// normally takes milliseconds (LDAP, RADIUS or PAM longer): a younger
    /// one is left to finish, since ending it would fail a client doing
    /// nothing wrong (an sslmode=prefer one on TLS); admitted, it is a
    /// session like any other. nil before 18, which
    /// lists a backend only once admitted.
    public static func endAttemptsBefore(_ version: ServerVersion) -> String? {
        guard version.major >= 18 else { return nil }
        return "SELECT a.pid, pg_catalog.host(a.client_addr) AS client_address, pg_catalog.pg_terminate_backend(a.pid) AS signalled\n"
            + attemptsBeforeScan
            + "\n  AND pg_catalog.clock_timestamp() - a.backend_start >= pg_catalog.make_interval(secs => $2::double precision)"
    }

    /// The confirmation: the logins under the old rules still in progress,
    /// with how long each has been at it. Read before the sessions, so that
    /// one admitted between the two reads is among the sessions. nil before 18.
    public static func attemptsBefore(_ version: ServerVersion) -> String? {
        guard version.major >= 18 else { return nil }
        return """
            SELECT a.pid, pg_catalog.host(a.client_addr) AS client_address,
                   extract(epoch FROM pg_catalog.clock_timestamp() - a.backend_start)::double precision AS seconds,
                   extract(epoch FROM pg_catalog.clock_timestamp())::double precision AS server_now

            """ + attemptsBeforeScan
    }

    /// TCP connections 18 shows as still authenticating (`starting`) that
    /// began before $1 (seconds since 1970: when the postmaster loaded the
    /// hostssl rules, as a session forked after it reported) or within a
    /// second after it, never the caller's own. A backend takes its start
    /// time in the child after the fork but its rules at the fork: one forked
    /// just before the load and scheduled after it has a later start and the
    /// old rules. A login under the new rules begun in that second and still
    /// in progress a second later is ended too. (Not `pg_conf_load_time()` on
    /// a long-lived session: that is when the backend took the reload, at its
    /// next command, maybe much later.)
    static let attemptsBeforeScan = """
        FROM pg_catalog.pg_stat_activity a
        WHERE a.state = 'starting' AND a.client_port IS NOT NULL AND a.client_port <> -1
          AND a.backend_start < pg_catalog.to_timestamp($1::double precision) + interval '1 second'
          AND a.pid <> pg_catalog.pg_backend_pid()
        """

}
