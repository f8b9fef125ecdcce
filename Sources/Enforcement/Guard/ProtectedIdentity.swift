import HBA

/// Someone who must still get in after the change: the wizard's own
/// connection, the operator's session, or an identity the operator names
/// ("must keep access": a monitoring user, the replication user from the
/// standby's address).
public struct ProtectedIdentity: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case wizardConnection = "wizard_connection"
        case operatorSession = "operator_session"
        case mustKeep = "must_keep"
        case standby
    }

    public var kind: Kind
    public var label: String
    /// nil for a unix socket.
    public var address: IPAddress?
    public var user: String
    public var database: String
    public var replication: ConnectionAttempt.Replication
    public var sslMode: ClientSSLMode
    /// libpq's `gssencmode`, as far as it matters: `disable` unless the
    /// client has Kerberos credentials (GSS-encrypted today, or `gssencmode=` given).
    public var gssEncMode: GSSEncMode
    /// It presents a client certificate the server accepts (`cert`, `clientcert=`).
    public var clientCertificate: Bool
    /// The TLS version its sessions use today, when known: below a raised
    /// floor its handshake is refused.
    public var tlsVersion: String?
    /// How the sslmode was learnt, for the plan text ("libpq default", "--must-keep").
    public var sslModeSource: String

    public init(kind: Kind, label: String, address: IPAddress?, user: String, database: String,
                replication: ConnectionAttempt.Replication = .none, sslMode: ClientSSLMode,
                gssEncrypted: Bool = false, clientCertificate: Bool = false, tlsVersion: String? = nil, sslModeSource: String) {
        self.kind = kind
        self.label = label
        self.address = address
        self.user = user
        self.database = database
        self.replication = replication
        self.sslMode = sslMode
        self.gssEncMode = gssEncrypted ? .prefer : .disable
        self.clientCertificate = clientCertificate
        self.tlsVersion = tlsVersion
        self.sslModeSource = sslModeSource
    }

    public var isUnixSocket: Bool { address == nil }

    public func attempt(ssl: Bool, gss: Bool = false) -> ConnectionAttempt {
        ConnectionAttempt(transport: address.map { .tcp($0) } ?? .unixSocket, ssl: ssl, gssEncrypted: gss,
                          database: database, user: user, replication: replication, clientCertificate: clientCertificate)
    }

    public func attempt(_ encryption: AttemptEncryption) -> ConnectionAttempt {
        attempt(ssl: encryption == .ssl, gss: encryption == .gss)
    }

    public var summary: String {
        let via = address.map { "from \($0)" } ?? "over the unix socket"
        let what = replication == .physical ? "physical replication" : "database \(database)"
        var client = "sslmode=\(sslMode.rawValue) (\(sslModeSource))"
        if clientCertificate { client += ", with a client certificate" }
        if gssEncMode != .disable { client += ", gssencmode=\(gssEncMode.rawValue)" }
        return "\(label): user \(user), \(what), \(via), \(client)"
    }
}

/// `--must-keep` specifications: `user=NAME addr=ADDRESS [dbname=DB]
/// [sslmode=MODE] [sslcert=yes|no] [gssencmode=disable|prefer|require]
/// [replication=physical|logical] [label=TEXT]`.
public enum ProtectedIdentitySpec {
    public static func parse(_ text: String) throws(PlanInputError) -> ProtectedIdentity {
        var fields: [String: String] = [:]
        for pair in text.split(separator: " ", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw .badMustKeep(spec: text, problem: "\"\(pair)\" is not key=value") }
            guard ["user", "addr", "dbname", "sslmode", "sslcert", "gssencmode", "replication", "label"].contains(parts[0]) else {
                throw .badMustKeep(spec: text, problem: "unknown key \"\(parts[0])\"")
            }
            fields[parts[0]] = parts[1]
        }
        guard let user = fields["user"] else { throw .badMustKeep(spec: text, problem: "user= is missing") }
        guard let addressText = fields["addr"] else { throw .badMustKeep(spec: text, problem: "addr= is missing (an IP address, or \"local\" for the unix socket)") }
        var address: IPAddress?
        if addressText != "local" {
            guard let parsed = IPAddress(numeric: addressText) else { throw .badMustKeep(spec: text, problem: "addr=\(addressText) is not an IP address") }
            address = parsed
        }
        let sslMode = try fields["sslmode"].map { value throws(PlanInputError) in
            guard let mode = ClientSSLMode(rawValue: value) else {
                throw .badMustKeep(spec: text, problem: "sslmode=\(value) is not one of disable, allow, prefer, require, verify-ca, verify-full")
            }
            return mode
        } ?? .prefer
        let replication = try fields["replication"].map { value throws(PlanInputError) in
            guard let mode = ConnectionAttempt.Replication(rawValue: value), mode != .none else {
                throw .badMustKeep(spec: text, problem: "replication=\(value) must be physical or logical")
            }
            return mode
        } ?? .none
        let certificate = try fields["sslcert"].map { value throws(PlanInputError) in
            guard value == "yes" || value == "no" else {
                throw .badMustKeep(spec: text, problem: "sslcert=\(value) must be yes (it presents a client certificate the server accepts) or no")
            }
            return value == "yes"
        } ?? false
        let gss = try fields["gssencmode"].map { value throws(PlanInputError) in
            guard let mode = GSSEncMode(rawValue: value) else {
                throw .badMustKeep(spec: text, problem: "gssencmode=\(value) is not one of disable, prefer, require")
            }
            return mode
        } ?? .disable
        if certificate && address == nil { throw .badMustKeep(spec: text, problem: "sslcert=yes needs a TCP addr=: unix sockets never use SSL") }
        let database = fields["dbname"] ?? (replication == .physical ? "replication" : user)
        var identity = ProtectedIdentity(kind: .mustKeep, label: fields["label"] ?? "must keep \(user)", address: address, user: user,
                                         database: database, replication: replication, sslMode: sslMode, clientCertificate: certificate,
                                         sslModeSource: fields["sslmode"] == nil ? "libpq default" : "as given")
        identity.gssEncMode = address == nil ? .disable : gss
        return identity
    }
}
