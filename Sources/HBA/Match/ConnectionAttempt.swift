/// A connection attempt as the server sees it when it scans pg_hba.conf.
public struct ConnectionAttempt: Hashable, Sendable, Codable {
    public enum Transport: Hashable, Sendable, Codable {
        case unixSocket
        case tcp(IPAddress)
    }

    /// `replication=true` (physical walsender) or `replication=database` (logical).
    public enum Replication: String, Hashable, Sendable, Codable {
        case none, physical, logical
    }

    public var transport: Transport
    public var ssl: Bool
    public var gssEncrypted: Bool
    public var database: String
    public var user: String
    public var replication: Replication
    /// The client presents a certificate the server's client CA accepts,
    /// with the user's name in it (only over TLS). Taken as given: the
    /// matcher does not compare the certificate's CN (or a `map=`) with the
    /// user, which `cert` and `clientcert=verify-full` also require.
    public var clientCertificate: Bool

    public init(transport: Transport, ssl: Bool = false, gssEncrypted: Bool = false, database: String, user: String,
                replication: Replication = .none, clientCertificate: Bool = false) {
        self.transport = transport
        // Over a unix socket neither TLS nor GSS encryption is ever used (docs/POSTGRES.md, "Matching").
        let tcp = transport != .unixSocket
        self.ssl = tcp && ssl
        self.gssEncrypted = tcp && gssEncrypted
        self.database = database
        self.user = user
        self.replication = replication
        self.clientCertificate = self.ssl && clientCertificate
    }

    public var clientAddress: IPAddress? {
        if case .tcp(let address) = transport { return address }
        return nil
    }

    public var summary: String {
        let via: String
        switch transport {
        case .unixSocket: via = "unix socket"
        case .tcp(let address): via = "\(address)" + (ssl ? " with SSL" + (clientCertificate ? " and a client certificate" : "")
                                                            : gssEncrypted ? " with GSS encryption" : " without encryption")
        }
        let replicationText = replication == .none ? "" : " (\(replication.rawValue) replication)"
        return "user \(user), database \(replication == .physical ? "replication" : database), \(via)\(replicationText)"
    }
}

/// One of the server's network interfaces (for samehost / samenet).
public struct NetworkInterface: Hashable, Sendable, Codable {
    public var address: IPAddress
    public var netmask: IPAddress

    public init(address: IPAddress, netmask: IPAddress) {
        self.address = address
        self.netmask = netmask
    }
}

/// What the server would learn from DNS about a client address.
public enum HostnameLookup: Hashable, Sendable {
    /// Reverse lookup gives `name`; `forwardConfirms` when that name resolves back to the client.
    case name(String, forwardConfirms: Bool)
    /// Reverse lookup fails: host-name lines never match.
    case noName
}

/// Facts the matcher needs that are not in the file. Each answer may be
/// nil, meaning "not known here": the match then depends on it.
public struct MatchEnvironment: Sendable {
    /// Is `user` a member (directly or indirectly, superuser aside) of `role`?
    /// Every existing role is a member of itself (so `samerole` admits a user
    /// to the database named after them). False when either role does not exist.
    public var isMember: @Sendable (_ user: String, _ role: String) -> Bool?
    /// The server's interfaces; nil when unknown.
    public var interfaces: [NetworkInterface]?
    public var lookupHostname: @Sendable (IPAddress) -> HostnameLookup?
    /// Regular expression search (16+); nil when it cannot be decided.
    public var regexMatches: @Sendable (_ pattern: String, _ subject: String) -> Bool?

    public init(isMember: @escaping @Sendable (String, String) -> Bool? = { _, _ in nil },
                interfaces: [NetworkInterface]? = nil,
                lookupHostname: @escaping @Sendable (IPAddress) -> HostnameLookup? = { _ in nil },
                regexMatches: @escaping @Sendable (String, String) -> Bool? = PostgresRegex.matches) {
        self.isMember = isMember
        self.interfaces = interfaces
        self.lookupHostname = lookupHostname
        self.regexMatches = regexMatches
    }

    /// Nothing known beyond the file: memberships, interfaces and DNS are open questions.
    public static let offline = MatchEnvironment()

    /// Memberships given as `role -> members` (transitive closure computed here).
    public static func with(memberships: [String: Set<String>], knownRoles: Set<String>? = nil,
                            interfaces: [NetworkInterface]? = nil,
                            hostnames: [IPAddress: HostnameLookup]? = nil) -> MatchEnvironment {
        MatchEnvironment(
            isMember: { user, role in
                if let knownRoles, !knownRoles.contains(user) || !knownRoles.contains(role) { return false }
                if user == role { return knownRoles == nil ? nil : true }
                var seen: Set<String> = []
                var frontier: [String] = [role]
                while let current = frontier.popLast() {
                    for member in memberships[current] ?? [] where seen.insert(member).inserted {
                        if member == user { return true }
                        frontier.append(member)
                    }
                }
                return knownRoles == nil ? nil : false
            },
            interfaces: interfaces,
            lookupHostname: { address in hostnames.map { $0[address] ?? .noName } })
    }
}
