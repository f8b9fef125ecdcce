/// The facts of the wizard's own connection, from libpq and the server.
public struct OwnSession: Hashable, Sendable, Codable {
    public var pid: Int32
    public var user: String
    public var database: String
    public var transport: Transport
    /// libpq's host: a socket directory or a host name / address.
    public var host: String
    public var port: String
    /// `inet_server_addr()`; nil over a unix socket.
    public var serverAddress: String?
    /// `inet_client_addr()`; nil over a unix socket.
    public var clientAddress: String?
    public var ssl: Bool
    public var tlsProtocol: String?
    public var cipher: String?
    public var keyBits: Int?
    public var gssEncrypted: Bool
    /// The sslmode libpq used for this connection (`prefer` by default).
    public var sslMode: String
    /// Whether libpq's other TLS settings for this connection were its
    /// defaults: no root certificate (named, or `~/.postgresql/root.crt`,
    /// which makes even `require` verify the server), no client
    /// certificate, no revocation list, no protocol bound but the TLS 1.2
    /// floor, the usual negotiation. A `require` client of this operator
    /// then verifies and restricts nothing a bare handshake does not
    /// (`TLSProbe`). Nil when not read.
    public var defaultTLSSettings: Bool?

    public init(pid: Int32, user: String, database: String, transport: Transport, host: String,
                port: String, serverAddress: String?, clientAddress: String?, ssl: Bool,
                tlsProtocol: String?, cipher: String?, keyBits: Int?, gssEncrypted: Bool,
                sslMode: String, defaultTLSSettings: Bool? = nil) {
        self.pid = pid
        self.user = user
        self.database = database
        self.transport = transport
        self.host = host
        self.port = port
        self.serverAddress = serverAddress
        self.clientAddress = clientAddress
        self.ssl = ssl
        self.tlsProtocol = tlsProtocol
        self.cipher = cipher
        self.keyBits = keyBits
        self.gssEncrypted = gssEncrypted
        self.sslMode = sslMode
        self.defaultTLSSettings = defaultTLSSettings
    }
}
