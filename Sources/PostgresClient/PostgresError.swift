import ClusterFacts

/// An error the server reported, with its diagnostic fields.
public struct ServerError: Hashable, Sendable, Error {
    public var severity: String
    public var sqlState: String
    public var message: String
    public var detail: String?
    public var hint: String?

    public init(severity: String, sqlState: String, message: String, detail: String? = nil, hint: String? = nil) {
        self.severity = severity
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    public static let insufficientPrivilege = "42501"
    public static let invalidAuthorization = "28000"
    public static let invalidPassword = "28P01"
}

public enum PostgresError: Error, Hashable, Sendable {
    /// libpq could not parse the connection string; its message is kept.
    case invalidConnectionString(String)
    /// The connection attempt failed (no SQLSTATE exists for these).
    case connectionFailed(target: String, message: String)
    /// A statement failed on the server.
    case server(ServerError)
    /// The connection broke or returned something unexpected.
    case connectionLost(String)
    /// The session's pinned settings (search_path first) did not take: the
    /// connection is closed unused.
    case sessionNotPinned(target: String, found: String)
    /// The connection reaches the server through a connection pooler: the
    /// wizard's facts (its own session, its address, its pid) would be the pooler's.
    case behindPooler(target: String, evidence: String)
    /// A column held a value of another shape than the decoder asked for.
    case decoding(column: String, value: String?, expected: String)

    public var sqlState: String? {
        if case .server(let error) = self { return error.sqlState }
        return nil
    }
}

extension PostgresError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .invalidConnectionString(let message):
            return "the connection string is malformed: \(message); use key=value pairs (host=... port=... user=... dbname=...) or a postgresql:// URI"
        case .connectionFailed(let target, let message):
            return "cannot connect to \(target): \(message)"
        case .server(let error):
            var text = "server error \(error.sqlState): \(error.message)"
            if let detail = error.detail { text += " (\(detail))" }
            if let hint = error.hint { text += "; hint: \(hint)" }
            return text
        case .connectionLost(let message):
            return "the connection to the server was lost: \(message)"
        case .sessionNotPinned(let target, let found):
            return "the session to \(target) did not keep the wizard's pinned settings (\(found)): connect to the server directly, not through a pooler or proxy that drops startup options"
        case .behindPooler(let target, let evidence):
            return "\(target) is a connection pooler, not the server (\(evidence)): the wizard must talk to PostgreSQL directly; connect to the server's own port or unix socket, on the database host"
        case .decoding(let column, let value, let expected):
            return "unexpected value \(value.map { "\"\($0)\"" } ?? "NULL") in column \(column), expected \(expected)"
        }
    }
}
