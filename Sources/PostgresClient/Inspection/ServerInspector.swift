import ClusterFacts
import Foundation
import SQLCatalogue

/// Reads a `ClusterSnapshot` off a live server. Read-only: it runs SELECTs
/// and reads two local files (hba_file, pg_control) when they are reachable.
public struct ServerInspector: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public func snapshot() throws(PostgresError) -> ClusterSnapshot {
        try finish(beginningFrom: try open())
    }

    /// The first reads: who the session is, the settings and where the
    /// server listens. Enough to start a look that needs the server's
    /// address and starts no session of its own (the STARTTLS handshake
    /// alone, docs/POSTGRES.md, "SSL initialisation and reload") while the
    /// rest is read on this connection.
    public struct Opening: Sendable {
        public let takenAt: Date
        public let privileges: Privileges
        public let settings: [Setting]
        public let server: ServerFacts
        public let own: OwnSession
    }

    /// The opening and the sessions. The sessions are read before any
    /// connection of the wizard's own that logs in exists, so that such a
    /// connection is never among the clients it reports, plans for or
    /// terminates.
    public struct Beginning: Sendable {
        public let takenAt: Date
        public let privileges: Privileges
        public let settings: [Setting]
        public let server: ServerFacts
        public let own: OwnSession
        public let sessions: [Session]
    }

    /// The opening's reads go in one round trip (`Connection.queries`),
    /// each on its own: the system identifier may be closed to the role.
    public func open() throws(PostgresError) -> Opening {
        let takenAt = Date()
        // Whether libpq's TLS settings are its defaults: the keywords here (they need the
        // connection), its files under the home directories while the server answers.
        let defaultKeywords = LibpqTLSDefaults.settingsAreDefault(connection.option)
        var defaultTLSSettings = false
        let outcomes = try connection.queries([
            Statement(InspectionQueries.privileges), Statement(InspectionQueries.settings, [Self.settingNames]),
            Statement(InspectionQueries.serverFacts), Statement(InspectionQueries.systemIdentifier),
            Statement(InspectionQueries.ownSession),
        ]) { defaultTLSSettings = defaultKeywords && LibpqTLSDefaults.noDefaultFiles() }
        let privileges = try Self.privileges(try outcomes[0].get())
        let settings = try Self.settings(try outcomes[1].get())
        let identifier = try tolerated { () throws(PostgresError) in try outcomes[3].get().first?.optionalString("system_identifier") } ?? nil
        let server = try Self.serverFacts(try outcomes[2].get(), systemIdentifier: identifier, settings: settings)
        var own = try connection.ownSession(from: try outcomes[4].get())
        // Read here, once per inspection (it reads the home directory), not at every look at the
        // own session (the live view takes one a second): only the TLS probe needs it.
        own.defaultTLSSettings = defaultTLSSettings
        return Opening(takenAt: takenAt, privileges: privileges, settings: settings, server: server, own: own)
    }

    public func begin(_ opening: Opening) throws(PostgresError) -> Beginning {
        Beginning(takenAt: opening.takenAt, privileges: opening.privileges, settings: opening.settings, server: opening.server,
                  own: opening.own, sessions: try readSessions())
    }

    /// The rest of the snapshot: the configuration file's settings and the
    /// hba rules as the server loaded them.
    public func finish(_ beginning: Beginning) throws(PostgresError) -> ClusterSnapshot {
        var fileAccess: FileAccess?
        let outcomes = try connection.queries([Statement(InspectionQueries.fileSettings),
                                               Statement(InspectionQueries.hbaFileRules(beginning.server.version))]) {
            fileAccess = Self.fileAccess(beginning.server)
        }
        return try finish(beginning, fileSettings: outcomes[0], hbaRules: outcomes[1], fileAccess: fileAccess)
    }

    /// `begin` and `finish` in one round trip, for a caller that starts
    /// nothing between the sessions' read and the rest.
    public func finish(beginningFrom opening: Opening) throws(PostgresError) -> ClusterSnapshot {
        var fileAccess: FileAccess?
        let outcomes = try connection.queries([Statement(InspectionQueries.sessions), Statement(InspectionQueries.fileSettings),
                                               Statement(InspectionQueries.hbaFileRules(opening.server.version))]) {
            fileAccess = Self.fileAccess(opening.server)
        }
        let beginning = Beginning(takenAt: opening.takenAt, privileges: opening.privileges, settings: opening.settings,
                                  server: opening.server, own: opening.own, sessions: try Self.sessions(try outcomes[0].get()))
        return try finish(beginning, fileSettings: outcomes[1], hbaRules: outcomes[2], fileAccess: fileAccess)
    }

    /// `fileAccess`: the server's files as seen from here, looked at while the server answered
    /// (they need only the opening's facts). `queries` runs its `meanwhile` on every way it
    /// returns, so it is never nil here; looked at now if a later change ever makes it so.
    private func finish(_ beginning: Beginning, fileSettings: Result<QueryResult, PostgresError>,
                        hbaRules: Result<QueryResult, PostgresError>, fileAccess: FileAccess?) throws(PostgresError) -> ClusterSnapshot {
        let fileSettings = try tolerated { () throws(PostgresError) in try Self.fileSettings(try fileSettings.get()) } ?? []
        let hbaRules = try tolerated { () throws(PostgresError) in try Self.hbaRules(try hbaRules.get()) }
        return ClusterSnapshot(
            takenAt: beginning.takenAt, server: beginning.server, privileges: beginning.privileges, own: beginning.own,
            settings: beginning.settings, fileSettings: fileSettings, hbaRules: hbaRules,
            sessions: beginning.sessions, fileAccess: fileAccess ?? Self.fileAccess(beginning.server))
    }

    /// What the STARTTLS handshake alone needs, in one row (`InspectionQueries.handshakeFacts`).
    public struct HandshakeFacts: Hashable, Sendable {
        /// The server's end of the session is a unix socket too (`inet_server_addr()` is NULL).
        public let viaSocket: Bool
        public let sslOn: Bool
        public let listenAddresses: String
        public let port: Int
        /// `ssl_groups`, or `ssl_ecdh_curve` where there is no such setting (`Setting.keyExchangeGroupNames`).
        public let keyExchangeGroups: String?
    }

    public func readHandshakeFacts() throws(PostgresError) -> HandshakeFacts {
        guard let row = try connection.query(InspectionQueries.handshakeFacts).first else {
            throw .connectionLost("no row from the handshake facts query")
        }
        return HandshakeFacts(viaSocket: try row.bool("via_socket"), sslOn: try row.string("ssl") == "on", listenAddresses: try row.string("listen_addresses"),
                              port: try row.int("port"), keyExchangeGroups: try row.optionalString("key_exchange_groups"))
    }

    static func privileges(_ result: QueryResult) throws(PostgresError) -> Privileges {
        guard let row = result.first else {
            throw .connectionLost("the current role is not in pg_roles")
        }
        return Privileges(
            role: try row.string("role"), isSuperuser: try row.bool("is_superuser"),
            readAllStats: try row.bool("read_all_stats"), readAllSettings: try row.bool("read_all_settings"),
            signalBackend: try row.bool("signal_backend"))
    }

    /// The settings the wizard reads besides its own, as the array parameter of `InspectionQueries.settings`.
    static let settingNames = "{" + InspectionQueries.extraSettingNames.joined(separator: ",") + "}"

    static func settings(_ result: QueryResult) throws(PostgresError) -> [Setting] {
        try result.rows.map { row throws(PostgresError) in
            Setting(name: try row.string("name"), value: try row.optionalString("value") ?? "",
                    context: try row.string("context"), source: try row.string("source"),
                    sourceFile: try row.optionalString("source_file"), sourceLine: try row.optionalInt("source_line"),
                    pendingRestart: try row.optionalBool("pending_restart") ?? false,
                    bootValue: try row.optionalString("boot_value"))
        }
    }

    static func serverFacts(_ result: QueryResult, systemIdentifier identifier: String?, settings: [Setting]) throws(PostgresError) -> ServerFacts {
        guard let row = result.first else {
            throw .connectionLost("no row from the server facts query")
        }
        let versionNumber = try row.int("version_num")
        return ServerFacts(
            version: ServerVersion(number: versionNumber),
            versionString: try row.string("version_string"),
            systemIdentifier: identifier ?? "unknown",
            dataDirectory: settings[named: "data_directory"]?.value ?? "",
            configFile: settings[named: "config_file"]?.value ?? "",
            hbaFile: settings[named: "hba_file"]?.value ?? "",
            identFile: settings[named: "ident_file"]?.value ?? "",
            listenAddresses: try row.string("listen_addresses"),
            port: try row.int("port"),
            confLoadTime: UTCText.serverTime(try row.optionalDouble("conf_load_time")),
            postmasterStartTime: UTCText.serverTime(try row.optionalDouble("postmaster_start_time")),
            inRecovery: try row.bool("in_recovery"))
    }

    static func fileSettings(_ result: QueryResult) throws(PostgresError) -> [FileSetting] {
        try result.rows.map { row throws(PostgresError) in
            FileSetting(sourceFile: try row.optionalString("source_file") ?? "", sourceLine: try row.optionalInt("source_line") ?? 0,
                        seqno: try row.optionalInt("seqno") ?? 0, name: try row.optionalString("name"),
                        value: try row.optionalString("value"), applied: try row.optionalBool("applied") ?? false,
                        error: try row.optionalString("error"))
        }
    }

    /// The server's own parse of the hba file currently on disk (it re-reads
    /// the file; docs/POSTGRES.md,
    /// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi").
    public func readHBAFileRules(version: ServerVersion) throws(PostgresError) -> [HBAFileRule] {
        try Self.hbaRules(try connection.query(InspectionQueries.hbaFileRules(version)))
    }

    static func hbaRules(_ result: QueryResult) throws(PostgresError) -> [HBAFileRule] {
        try result.rows.map { row throws(PostgresError) in
            HBAFileRule(
                ruleNumber: try row.optionalInt("rule_number"), fileName: try row.optionalString("file_name"),
                lineNumber: try row.int("line_number"), type: try row.optionalString("type"),
                database: try row.optionalTextArray("database")?.map { $0 ?? "" },
                userName: try row.optionalTextArray("user_name")?.map { $0 ?? "" },
                address: try row.optionalString("address"), netmask: try row.optionalString("netmask"),
                authMethod: try row.optionalString("auth_method"),
                options: try row.optionalTextArray("options")?.map { $0 ?? "" },
                error: try row.optionalString("error"))
        }
    }

    public func readSessions() throws(PostgresError) -> [Session] {
        try Self.sessions(try connection.query(InspectionQueries.sessions))
    }

    static func sessions(_ result: QueryResult) throws(PostgresError) -> [Session] {
        try result.rows.map { row throws(PostgresError) in
            Session(
                pid: try row.int32("pid"), backendType: try row.optionalString("backend_type"),
                user: try row.optionalString("user"), database: try row.optionalString("database"),
                applicationName: try row.optionalString("application_name"),
                clientAddress: try row.optionalString("client_address"),
                clientHostname: try row.optionalString("client_hostname"),
                clientPort: try row.optionalInt("client_port"), ssl: try row.optionalBool("ssl"),
                tlsVersion: try row.optionalString("tls_version"), cipher: try row.optionalString("cipher"),
                bits: try row.optionalInt("bits"), gssEncrypted: try row.optionalBool("gss_encrypted") ?? false,
                backendStart: UTCText.serverTime(try row.optionalDouble("backend_start")),
                backendStartMicroseconds: try row.optionalInt("backend_start_us").map(Int64.init),
                state: try row.optionalString("state"), clientCertificate: try row.optionalBool("client_certificate") ?? false)
        }
    }

    /// role -> direct members, for every role (`pg_roles` is readable by all).
    public func readRoleMemberships() throws(PostgresError) -> [String: Set<String>] {
        var members: [String: Set<String>] = [:]
        for row in try connection.query(InspectionQueries.roleMemberships).rows {
            members[try row.string("role")] = Set((try row.optionalTextArray("members") ?? []).compactMap { $0 })
        }
        return members
    }

    /// Runs a query whose view may be closed to this role: a permission error
    /// gives nil, anything else is thrown.
    private func tolerated<T>(_ body: () throws(PostgresError) -> T) throws(PostgresError) -> T? {
        do {
            return try body()
        } catch let error where error.sqlState == ServerError.insufficientPrivilege {
            return nil
        }
    }

    /// Can this process read the server's files, and are they really that
    /// cluster's? pg_control starts with the 8-byte system identifier.
    static func fileAccess(_ server: ServerFacts) -> FileAccess {
        guard !server.hbaFile.isEmpty else {
            return FileAccess(hbaReadable: false, sameHostVerified: false,
                              problem: "the role may not see hba_file (needs superuser or pg_read_all_settings)")
        }
        let readable = FileManager.default.isReadableFile(atPath: server.hbaFile)
        let onDisk = controlFileIdentifier(server.dataDirectory + "/global/pg_control")
        let verified = onDisk != nil && onDisk == UInt64(server.systemIdentifier)
        let problem: String?
        if !readable {
            problem = "cannot read \(server.hbaFile) from here: run on the database host as root or the server's OS user"
        } else if !verified {
            problem = "\(server.hbaFile) is readable, but \(server.dataDirectory)/global/pg_control does not prove it belongs to this server"
        } else {
            problem = nil
        }
        return FileAccess(hbaReadable: readable, sameHostVerified: verified, problem: problem,
                          hbaWriteProblem: readable ? writeProblem(hbaFile: server.hbaFile) : nil)
    }

    /// pg_control's first 8 bytes, the system identifier (in the host's byte
    /// order, little-endian here). The data directory is the server's OS
    /// user's: through a descriptor that follows no final link and waits for
    /// nothing (a FIFO put there made the open wait for ever, and the
    /// inspection with it), from a regular file only.
    static func controlFileIdentifier(_ path: String) -> UInt64? {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: 8)
        guard Glibc.read(fd, &bytes, 8) == 8 else { return nil }
        return bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    /// The rewrite puts a backup and a temporary copy next to pg_hba.conf,
    /// then renames: the directory must be writable, on a read-write file
    /// system, with room for two more copies. Found here, before anything
    /// changes, instead of half way through a run.
    static func writeProblem(hbaFile: String) -> String? {
        let directory = (hbaFile as NSString).deletingLastPathComponent
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        if info.f_flag & UInt(ST_RDONLY) != 0 {
            return "\(directory) is on a read-only file system, so pg_hba.conf and its backup cannot be written: remount it read-write first"
        }
        if access(directory, W_OK) != 0 {
            return "cannot write in \(directory) as this user: run the wizard as root or as the server's OS user"
        }
        // The file itself, not a link's target (the writer refuses links), by lstat alone:
        // Foundation's attributes also looked up the owner's and group's names.
        var status = stat()
        let needed = roomNeeded(forFileOfSize: lstat(hbaFile, &status) == 0 ? UInt64(max(0, status.st_size)) : 0)
        // Saturating too: the file system reports these, and one its owner mounted (FUSE) can report anything.
        let (product, overflowed) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        let free = overflowed ? UInt64.max : product
        if free < needed {
            return "only \(free / 1024) KiB are free in \(directory); the backup and the new pg_hba.conf need about \(needed / 1024) KiB: free some space first"
        }
        return nil
    }

    /// Two copies and some slack; the largest value instead of an overflow for a file near the largest size.
    static func roomNeeded(forFileOfSize size: UInt64) -> UInt64 {
        let slack: UInt64 = 64 * 1024
        return size > (UInt64.max - slack) / 2 ? UInt64.max : 2 * size + slack
    }
}
