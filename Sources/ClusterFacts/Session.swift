import Foundation

/// How a backend is connected.
public enum Transport: String, Sendable, Codable, Hashable {
    case unixSocket = "unix_socket"
    case tcp
    /// Background and auxiliary processes: no client at all.
    case none
}

/// A server process as `pg_stat_activity` joined with `pg_stat_ssl` and
/// `pg_stat_gssapi` shows it.
public struct Session: Hashable, Sendable, Codable {
    public var pid: Int32
    public var backendType: String?
    public var user: String?
    public var database: String?
    public var applicationName: String?
    public var clientAddress: String?
    public var clientHostname: String?
    /// -1 for a unix socket, nil for processes without a client.
    public var clientPort: Int?
    /// nil when the observer lacks the privilege to see it.
    public var ssl: Bool?
    public var tlsVersion: String?
    public var cipher: String?
    public var bits: Int?
    public var gssEncrypted: Bool
    public var backendStart: Date?
    /// `backend_start` as the server's microseconds since 1970, exact: with the
    /// pid, it names this backend and no later one given the same number
    /// (docs/POSTGRES.md, "Ending a session between transactions"). Optional
    /// so records written before it was read still decode.
    public var backendStartMicroseconds: Int64?
    public var state: String?
    /// It presented a client certificate the server accepted (`pg_stat_ssl.client_dn`);
    /// optional so records written before it was read still decode.
    public var clientCertificate: Bool?

    public init(pid: Int32, backendType: String?, user: String?, database: String?,
                applicationName: String?, clientAddress: String?, clientHostname: String? = nil,
                clientPort: Int?, ssl: Bool?, tlsVersion: String? = nil, cipher: String? = nil,
                bits: Int? = nil, gssEncrypted: Bool = false, backendStart: Date? = nil,
                backendStartMicroseconds: Int64? = nil, state: String? = nil, clientCertificate: Bool = false) {
        self.clientCertificate = clientCertificate
        self.pid = pid
        self.backendType = backendType
        self.user = user
        self.database = database
        self.applicationName = applicationName
        self.clientAddress = clientAddress
        self.clientHostname = clientHostname
        self.clientPort = clientPort
        self.ssl = ssl
        self.tlsVersion = tlsVersion
        self.cipher = cipher
        self.bits = bits
        self.gssEncrypted = gssEncrypted
        self.backendStart = backendStart
        self.backendStartMicroseconds = backendStartMicroseconds
        self.state = state
    }

    public var transport: Transport {
        guard let port = clientPort else { return .none }
        return port == -1 ? .unixSocket : .tcp
    }

    public var isWalsender: Bool { backendType == "walsender" }

    /// A client connection (ordinary backend or walsender) the server has
    /// admitted, as opposed to a background process or a connection still
    /// authenticating. Unknown backend types count as "not a client".
    public var isClient: Bool { connectsAClient && !isAuthenticating }

    /// 18 and later list a connection from its start, `starting` until
    /// authentication ends: no user yet, and `ssl` false even for a TLS one
    /// (the server fills it in once the connection is admitted). An attempt,
    /// not a session (docs/POSTGRES.md, "18 lists connections still authenticating").
    public var isAuthenticating: Bool { BackendActivity(pgStatActivity: state) == .starting }

    /// A TCP connection still authenticating: its encryption is not known yet.
    public var isTCPAttempt: Bool { connectsAClient && isAuthenticating && transport == .tcp }

    var connectsAClient: Bool { transport != .none && (backendType == "client backend" || backendType == "walsender") }

    /// Plain text on the wire: TCP, neither TLS nor GSS encryption.
    public var isPlainTCP: Bool { transport == .tcp && ssl == false && !gssEncrypted }

    /// The client address is a loopback address (127.0.0.0/8 or ::1).
    public var isLoopback: Bool { Self.isLoopback(address: clientAddress) }

    public static func isLoopback(address: String?) -> Bool {
        guard let address else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}
