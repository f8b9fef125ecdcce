import Foundation

/// The `status` command's output, as a JSON document and as text. The JSON
/// shape is a public contract (documented in the README): keys are only
/// ever added.
public struct StatusReport: Sendable {
    public let snapshot: ClusterSnapshot
    public let assessment: StatusAssessment
    /// The expiry of the certificate a real handshake was served, judged by
    /// the command (which parses certificates).
    public var certificateExpiry: CertificateExpiry?
    /// The clients the latest run terminated, and which came back over SSL (set by the command).
    public var lastRunClients: TerminatedClientsDocument?
    /// The compliance items with their evidence (`--compliance`, set by the command).
    public var compliance: [ComplianceItem]?

    public init(snapshot: ClusterSnapshot, assessment: StatusAssessment) {
        self.snapshot = snapshot
        self.assessment = assessment
    }

    /// Client sessions (backends and walsenders), the observer's own included and marked.
    public var listedSessions: [Session] { snapshot.sessions.filter(\.isClient) }

    public var document: Document { Document(self) }

    public func json(pendingKeep: PendingKeepDocument? = nil) -> String {
        var document = document
        document.pendingKeep = pendingKeep
        document.certificateExpiry = certificateExpiry
        document.lastRunClients = lastRunClients
        document.compliance = compliance
        return ReportJSON.text(document)
    }

    public func text() -> String {
        var lines: [String] = []
        let server = snapshot.server
        let own = snapshot.own
        lines.append("PostgreSQL \(server.version) (\(server.versionString.split(separator: ",").first ?? ""))")
        let via = own.transport == .unixSocket ? "unix socket \(own.host)" : "TCP \(own.host):\(own.port)"
        lines.append("Connected as \(own.user) to \(own.database) via \(via), \(own.ssl ? "SSL \(own.tlsProtocol ?? "")" : "no SSL"), pid \(own.pid)")
        lines.append("")
        lines.append("SSL settings")
        let table = TextTable(header: ["NAME", "VALUE", "SOURCE", "CHANGE BY"], rows: sslSettings.map { setting in
            let source = setting.sourceFile.map { "\($0):\(setting.sourceLine ?? 0)" } ?? setting.source
            return [setting.name, setting.value.isEmpty ? "''" : setting.value, source,
                    setting.reloadable ? "reload" : "restart" + (setting.pendingRestart ? " (pending)" : "")]
        })
        lines += table.render()
        if let groups = snapshot.keyExchangeGroups {
            lines.append("Key exchange groups: \(groups.value) (\(groups.name))")
        }
        if !snapshot.fileSettingErrors.isEmpty {
            lines.append("")
            lines.append("Configuration file errors (a reload would not apply setting changes)")
            for error in snapshot.fileSettingErrors {
                lines.append("  \(error.sourceFile):\(error.sourceLine): \(error.error ?? "")")
            }
        }
        lines.append("")
        lines.append("Sessions (* = this one)")
        let sessions = listedSessions
        if sessions.isEmpty {
            lines.append("  none")
        } else {
            lines += TextTable(header: ["PID", "TYPE", "USER", "DATABASE", "APPLICATION", "CLIENT", "SSL", "TLS"],
                               rows: sessions.map(sessionRow)).render()
        }
        let c = assessment.counts
        lines.append("")
        lines.append("Counts: \(c.ssl) SSL, \(c.nonSSLTCP) non-SSL TCP (\(c.nonSSLTCPLoopback) from loopback), \(c.unixSocket) unix socket"
            + (c.gssEncrypted > 0 ? ", \(c.gssEncrypted) GSS-encrypted" : "")
            + (c.unknown > 0 ? ", \(c.unknown) unknown" : "")
            + "; walsenders: \(c.walsenders) (\(c.walsendersSSL) SSL, \(c.walsendersNonSSL) non-SSL)")
        if !assessment.tlsVersions.isEmpty {
            lines.append("TLS versions: " + assessment.tlsVersions.sorted { $0.key > $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines.append("")
        let label: String
        switch assessment.verdict {
        case .enforced: label = "ENFORCED"
        case .notEnforced: label = "NOT ENFORCED"
        case .sslOff: label = "SSL OFF"
        }
        lines.append("Verdict: \(label) (exit \(assessment.verdict.exitCode))")
        lines += assessment.reasons.map { "  - \($0)" }
        lines += assessment.notes.map { "  note: \($0)" }
        if let problem = snapshot.fileAccess.problem { lines.append("  note: \(problem)") }
        return lines.joined(separator: "\n")
    }

    /// Secret values (ssl_passphrase_command) masked: text and JSON both read them here.
    var sslSettings: [Setting] {
        snapshot.settings.filter { $0.name.hasPrefix("ssl") && $0.name != "ssl_library" }.map { SecretSettings.masked($0) }
    }

    func sessionRow(_ session: Session) -> [String] {
        let mark = session.pid == snapshot.own.pid ? "*" : ""
        let client: String
        switch session.transport {
        case .unixSocket: client = "[local]"
        case .tcp: client = session.clientAddress ?? "?"
        case .none: client = ""
        }
        let ssl = session.ssl.map { $0 ? "yes" : (session.gssEncrypted ? "gss" : "no") } ?? "?"
        return ["\(session.pid)\(mark)", session.isWalsender ? "walsender" : "client", session.user ?? "",
                session.database ?? "", session.applicationName ?? "", client, ssl, session.tlsVersion ?? ""]
    }

    // MARK: - JSON document

    public struct Document: Codable, Sendable {
        public var schema: Int
        public var verdict: Verdict
        public var exitCode: Int32
        public var reasons: [String]
        public var notes: [String]
        public var server: ServerDocument
        public var connection: ConnectionDocument
        public var privileges: Privileges
        public var tls: TLSDocument
        public var sslSettings: [SettingDocument]
        /// `ssl_groups` (18) or `ssl_ecdh_curve` (13-17), under one key.
        public var keyExchangeGroups: SettingDocument?
        public var fileSettingErrors: [FileSettingErrorDocument]
        public var files: FilesDocument
        public var counts: CountsDocument
        public var tlsVersions: [String: Int]
        public var sessions: [SessionDocument]
        /// A run whose new rules wait for "keep" (set by the command, which reads the state directory).
        public var pendingKeep: PendingKeepDocument?
        /// The served certificate's expiry (set by the command).
        public var certificateExpiry: CertificateExpiry?
        public var lastRunClients: TerminatedClientsDocument?
        public var compliance: [ComplianceItem]?

        enum CodingKeys: String, CodingKey {
            case schema, verdict, reasons, notes, server, connection, privileges, tls, files, counts, sessions
            case pendingKeep = "pending_keep", certificateExpiry = "certificate_expiry", lastRunClients = "last_run_clients", compliance
            case exitCode = "exit_code", sslSettings = "ssl_settings", fileSettingErrors = "file_setting_errors"
            case tlsVersions = "tls_versions", keyExchangeGroups = "key_exchange_groups"
        }

        init(_ report: StatusReport) {
            let snapshot = report.snapshot
            let assessment = report.assessment
            schema = JSONContract.schema
            verdict = assessment.verdict
            exitCode = assessment.verdict.exitCode
            reasons = assessment.reasons
            notes = assessment.notes
            server = ServerDocument(snapshot.server)
            connection = ConnectionDocument(snapshot.own)
            privileges = snapshot.privileges
            tls = TLSDocument(assessment.tls)
            sslSettings = report.sslSettings.map(SettingDocument.init)
            keyExchangeGroups = snapshot.keyExchangeGroups.map(SettingDocument.init)
            fileSettingErrors = snapshot.fileSettingErrors.map(FileSettingErrorDocument.init)
            files = FilesDocument(snapshot.server, snapshot.fileAccess)
            counts = CountsDocument(assessment.counts)
            tlsVersions = assessment.tlsVersions
            sessions = report.listedSessions.map { SessionDocument($0, own: $0.pid == snapshot.own.pid) }
        }
    }

    public struct ServerDocument: Codable, Sendable {
        public var version: String
        public var versionNum: Int
        public var systemIdentifier: String
        public var dataDirectory: String
        public var configFile: String
        public var hbaFile: String
        public var listenAddresses: String
        public var port: Int
        public var inRecovery: Bool
        enum CodingKeys: String, CodingKey {
            case version, port
            case versionNum = "version_num", systemIdentifier = "system_identifier", dataDirectory = "data_directory"
            case configFile = "config_file", hbaFile = "hba_file", listenAddresses = "listen_addresses", inRecovery = "in_recovery"
        }
        init(_ facts: ServerFacts) {
            version = facts.version.description
            versionNum = facts.version.number
            systemIdentifier = facts.systemIdentifier
            dataDirectory = facts.dataDirectory
            configFile = facts.configFile
            hbaFile = facts.hbaFile
            listenAddresses = facts.listenAddresses
            port = facts.port
            inRecovery = facts.inRecovery
        }
    }

    public struct ConnectionDocument: Codable, Sendable {
        public var pid: Int32
        public var user: String
        public var database: String
        public var transport: Transport
        public var ssl: Bool
        public var tlsVersion: String?
        public var clientAddr: String?
        enum CodingKeys: String, CodingKey {
            case pid, user, database, transport, ssl
            case tlsVersion = "tls_version", clientAddr = "client_addr"
        }
        init(_ own: OwnSession) {
            pid = own.pid
            user = own.user
            database = own.database
            transport = own.transport
            ssl = own.ssl
            tlsVersion = own.tlsProtocol
            clientAddr = own.clientAddress
        }
    }

    public struct TLSDocument: Codable, Sendable {
        public var probe: String
        public var detail: String?
        init(_ availability: TLSAvailability) {
            switch availability {
            case .offered: probe = "offered"
            case .refused: probe = "refused"
            case .notProbed(let why): probe = "not_probed"; detail = why
            }
        }
    }

    public struct SettingDocument: Codable, Sendable {
        public var name: String
        public var value: String
        public var context: String
        public var source: String
        public var sourceFile: String?
        public var sourceLine: Int?
        public var pendingRestart: Bool
        enum CodingKeys: String, CodingKey {
            case name, value, context, source
            case sourceFile = "source_file", sourceLine = "source_line", pendingRestart = "pending_restart"
        }
        init(_ setting: Setting) {
            name = setting.name
            value = SecretSettings.shown(setting.name, setting.value)
            context = setting.context
            source = setting.source
            sourceFile = setting.sourceFile
            sourceLine = setting.sourceLine
            pendingRestart = setting.pendingRestart
        }
    }

    public struct FileSettingErrorDocument: Codable, Sendable {
        public var sourceFile: String
        public var sourceLine: Int
        public var name: String?
        public var error: String
        enum CodingKeys: String, CodingKey {
            case name, error
            case sourceFile = "source_file", sourceLine = "source_line"
        }
        init(_ row: FileSetting) {
            sourceFile = row.sourceFile
            sourceLine = row.sourceLine
            name = row.name
            error = row.error ?? ""
        }
    }

    public struct FilesDocument: Codable, Sendable {
        public var hbaFile: String
        public var hbaReadable: Bool
        public var sameHostVerified: Bool
        public var problem: String?
        enum CodingKeys: String, CodingKey {
            case problem
            case hbaFile = "hba_file", hbaReadable = "hba_readable", sameHostVerified = "same_host_verified"
        }
        init(_ server: ServerFacts, _ access: FileAccess) {
            hbaFile = server.hbaFile
            hbaReadable = access.hbaReadable
            sameHostVerified = access.sameHostVerified
            problem = access.problem
        }
    }

    public struct CountsDocument: Codable, Sendable {
        public var ssl: Int
        public var nonSSLTCP: Int
        public var nonSSLTCPLoopback: Int
        public var gssEncrypted: Int
        public var unixSocket: Int
        public var unknown: Int
        public var walsenders: Int
        public var walsendersSSL: Int
        public var walsendersNonSSL: Int
        enum CodingKeys: String, CodingKey {
            case ssl, unknown, walsenders
            case nonSSLTCP = "non_ssl_tcp", nonSSLTCPLoopback = "non_ssl_tcp_loopback", gssEncrypted = "gss_encrypted"
            case unixSocket = "unix_socket", walsendersSSL = "walsenders_ssl", walsendersNonSSL = "walsenders_non_ssl"
        }
        init(_ counts: SessionCounts) {
            ssl = counts.ssl
            nonSSLTCP = counts.nonSSLTCP
            nonSSLTCPLoopback = counts.nonSSLTCPLoopback
            gssEncrypted = counts.gssEncrypted
            unixSocket = counts.unixSocket
            unknown = counts.unknown
            walsenders = counts.walsenders
            walsendersSSL = counts.walsendersSSL
            walsendersNonSSL = counts.walsendersNonSSL
        }
    }

    public struct SessionDocument: Codable, Sendable {
        public var pid: Int32
        public var backendType: String?
        public var user: String?
        public var database: String?
        public var applicationName: String?
        public var clientAddr: String?
        public var clientPort: Int?
        public var transport: Transport
        public var ssl: Bool?
        public var tlsVersion: String?
        public var cipher: String?
        public var bits: Int?
        public var gssEncrypted: Bool
        public var backendStart: Date?
        public var state: String?
        public var isOwn: Bool
        enum CodingKeys: String, CodingKey {
            case pid, user, database, transport, ssl, cipher, bits, state
            case backendType = "backend_type", applicationName = "application_name", clientAddr = "client_addr"
            case clientPort = "client_port", tlsVersion = "tls_version", gssEncrypted = "gss_encrypted"
            case backendStart = "backend_start", isOwn = "is_own"
        }
        public init(_ session: Session, own: Bool) {
            pid = session.pid
            backendType = session.backendType
            user = session.user
            database = session.database
            applicationName = session.applicationName
            clientAddr = session.clientAddress
            clientPort = session.clientPort
            transport = session.transport
            ssl = session.ssl
            tlsVersion = session.tlsVersion
            cipher = session.cipher
            bits = session.bits
            gssEncrypted = session.gssEncrypted
            backendStart = session.backendStart
            state = session.state
            isOwn = own
        }
    }
}

/// `status`'s view of a run waiting for "keep": armed (its watchdog will put
/// pg_hba.conf back at `revert_at`) or unguarded (the watchdog is gone).
public struct PendingKeepDocument: Codable, Sendable {
    public var run: String
    public var state: String
    public var watchdogPID: Int32
    public var revertAt: Date?
    public var message: String

    enum CodingKeys: String, CodingKey {
        case run, state, message
        case watchdogPID = "watchdog_pid", revertAt = "revert_at"
    }

    public init(run: String, state: String, watchdogPID: Int32, revertAt: Date?, message: String) {
        self.run = run
        self.state = state
        self.watchdogPID = watchdogPID
        self.revertAt = revertAt
        self.message = message
    }
}

/// The clients a run terminated, compared with the sessions now: `prefer`
/// clients come back over SSL by themselves ("moved"); the rest are pinned
/// to plain text, or have not reconnected.
public struct TerminatedClientsDocument: Codable, Hashable, Sendable {
    public var run: String
    public var movedToSSL: [String]
    public var notBackOverSSL: [String]

    public init(run: String, movedToSSL: [String], notBackOverSSL: [String]) {
        self.run = run
        self.movedToSSL = movedToSSL
        self.notBackOverSSL = notBackOverSSL
    }

    enum CodingKeys: String, CodingKey { case run, movedToSSL = "moved_to_ssl", notBackOverSSL = "not_back_over_ssl" }

    /// "user@address (application)" for each distinct terminated client, split by whether an SSL session of it exists now.
    public static func compare(run: String, terminated: [(user: String?, address: String?, application: String?)], sessions: [Session]) -> TerminatedClientsDocument {
        func name(_ user: String?, _ address: String?, _ application: String?) -> String { "\(user ?? "?")@\(address ?? "?") (\(application ?? ""))" }
        let back = Set(sessions.filter { $0.ssl == true }.map { name($0.user, $0.clientAddress, $0.applicationName) })
        let ended = Set(terminated.map { name($0.user, $0.address, $0.application) }).sorted()
        return TerminatedClientsDocument(run: run, movedToSSL: ended.filter(back.contains), notBackOverSSL: ended.filter { !back.contains($0) })
    }

    public var text: String {
        "clients run \(run) terminated: \(movedToSSL.count) back over SSL" + (movedToSSL.isEmpty ? "" : " (moved: " + movedToSSL.joined(separator: ", ") + ")")
            + ", \(notBackOverSSL.count) not back over SSL" + (notBackOverSSL.isEmpty ? "" : " (" + notBackOverSSL.joined(separator: ", ") + ")")
    }
}
