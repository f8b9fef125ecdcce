import Foundation

/// A client as the server's log saw it connect (`log_connections`):
/// identity, encryption, how often and when. Evidence for the impact
/// preview about clients that are not connected now.
public struct LoggedClient: Codable, Hashable, Sendable {
    public enum Encryption: String, Codable, Hashable, Sendable, Comparable {
        case plain, ssl, gss
        public static func < (a: Encryption, b: Encryption) -> Bool { a.rawValue < b.rawValue }
    }

    public var user: String
    /// nil for physical replication.
    public var database: String?
    /// nil when the log names no address for it (no %h/%r in log_line_prefix
    /// and no "connection received" line for its pid); "[local]" for a unix socket.
    public var address: String?
    public var applicationName: String
    public var encryption: Encryption
    public var tlsVersion: String?
    public var replication: Bool
    public var connections: Int
    public var firstSeen: Date?
    public var lastSeen: Date?
    /// It connected in plain text after the same log had shown an SSL
    /// connection: SSL was offered, so it chose plain text (sslmode disable or allow).
    public var plainWhileSSLOffered: Bool

    public init(user: String, database: String?, address: String?, applicationName: String, encryption: Encryption,
                tlsVersion: String? = nil, replication: Bool = false, connections: Int = 0, firstSeen: Date? = nil,
                lastSeen: Date? = nil, plainWhileSSLOffered: Bool = false) {
        self.user = user
        self.database = database
        self.address = address
        self.applicationName = applicationName
        self.encryption = encryption
        self.tlsVersion = tlsVersion
        self.replication = replication
        self.connections = connections
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.plainWhileSSLOffered = plainWhileSSLOffered
    }

    /// A TCP client (not a unix socket, address known).
    public var isTCP: Bool { address.map { $0 != "[local]" && !$0.isEmpty } ?? false }
}

/// What the server's log said about connections (`log_connections`), and
/// what limited it.
public struct ConnectionLogEvidence: Codable, Hashable, Sendable {
    /// The files read, oldest first (a path, or "stderr of the postmaster (pid N): PATH").
    public var files: [String]
    public var since: Date?
    /// `log_connections` as the server has it.
    public var logConnections: String
    public var bytesRead: Int
    public var connectionLines: Int
    public var clients: [LoggedClient]
    /// Why the log tells less than it could.
    public var limits: [LogEvidenceLimit]

    public init(files: [String], since: Date?, logConnections: String, bytesRead: Int, connectionLines: Int,
                clients: [LoggedClient], limits: [LogEvidenceLimit]) {
        self.files = files
        self.since = since
        self.logConnections = logConnections
        self.bytesRead = bytesRead
        self.connectionLines = connectionLines
        self.clients = clients
        self.limits = limits
    }

    /// Whether `log_connections` logs authorized connections: `on`, or on 18 a list with `authorization` (or `all`).
    public static func logsAuthorizations(_ value: String) -> Bool {
        let items = value.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return items.contains { ["on", "true", "yes", "1", "all", "authorization"].contains($0) }
    }
}

/// Why the server's log tells less than it could, each with what to do.
public enum LogEvidenceLimit: Codable, Hashable, Sendable {
    /// `log_connections` does not log authorized connections (the setting's value, the server's major version).
    case connectionLoggingOff(setting: String, major: Int)
    /// No log file found (in the collector's directory, or the postmaster's stderr is not a file).
    case noLogFile(directory: String?)
    case unreadable(file: String, reason: String)
    /// stderr lines with neither %h/%r nor %p in log_line_prefix: no client address.
    case noAddresses(prefix: String)
    /// A file where the server's log should be that is not the server OS user's own regular file.
    case notTheServersFile(file: String, why: String)
    /// log_line_prefix writes %u or %d unescaped: a client can forge whole stderr lines.
    case forgeableLines(prefix: String)
    /// An application name that ends like the SSL suffix cannot be told from it (in any format).
    case unverifiedEncryption
    /// log_hostname is on: addresses are names, which the preview cannot match against rules.
    case hostNames(count: Int)
    /// Lines set aside: overlong, forged (two copies of a name disagree), or beyond the client cap.
    case setAside(longLines: Int, forged: Int, uncounted: Int)

    public var text: String {
        switch self {
        case .connectionLoggingOff(let setting, let major):
            let value = major >= 18 ? "'receipt,authorization'" : "on"
            return "log_connections is \(setting.isEmpty ? "empty" : setting): the log has no connection lines. To collect evidence "
                + "for an observation period: ALTER SYSTEM SET log_connections = \(value); SELECT pg_reload_conf(); (a reload, no restart)"
        case .noLogFile(let directory?):
            return "no log file in \(directory): pass the server's log with --log FILE"
        case .noLogFile(nil):
            return "the server's log is not a file found from here (no logging_collector, and the postmaster's stderr is not a regular file, "
                + "e.g. the journal): pass it with --log FILE"
        case .unreadable(let file, let reason):
            return "\(file) was not read: \(reason)"
        case .notTheServersFile(let file, let why):
            return "\(file) was not read: \(why); pass a copy you trust with --log FILE"
        case .forgeableLines(let prefix):
            return "log_line_prefix '\(prefix)' writes user or database names unescaped (%u, %d): a client can forge whole lines of a "
                + "stderr log, so its entries are evidence to check, not proof; csvlog or jsonlog cannot be forged that way"
        case .unverifiedEncryption:
            return "the server writes a client's application_name into the same line as \"SSL enabled (...)\", so a client whose "
                + "name ends like that can pass its own plain connection off as SSL, and make later plain clients in that log look "
                + "pinned rather than \"moves to SSL if prefer\": the encryption column is evidence to check against `status` and the sessions"
        case .hostNames(let count):
            return "\(count) client(s) are logged by host name (log_hostname is on): the preview matches addresses, so they are listed "
                + "by `clients` but not matched against the rules"
        case .setAside(let longLines, let forged, let uncounted):
            return "set aside: \(longLines) overlong line(s), \(forged) connection line(s) whose application name disagrees with the "
                + "record's own field (forged), \(uncounted) connection(s) of clients beyond the first 10,000 distinct ones"
        case .noAddresses(let prefix):
            return "log_line_prefix '\(prefix)' has neither %h/%r nor %p: the log's connection lines name no client address; "
                + "add %h to log_line_prefix (a reload) to see where clients connect from"
        }
    }
}

/// Which log to read for the client inventory (`--log`, `--log-since`, `--no-log`).
public struct ConnectionLogRequest: Hashable, Sendable, Codable {
    /// Files the operator named; empty: the files the server writes.
    public var files: [String]
    public var since: Date?
    public var enabled: Bool

    public init(files: [String] = [], since: Date? = nil, enabled: Bool = true) {
        self.files = files
        self.since = since
        self.enabled = enabled
    }

    public static let automatic = ConnectionLogRequest()
    public static let off = ConnectionLogRequest(enabled: false)
}

