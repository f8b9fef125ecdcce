/// The six record types. Matched case-sensitively (docs/POSTGRES.md, "pg_hba.conf syntax").
public enum ConnectionType: String, Hashable, Sendable, Codable, CaseIterable {
    case local, host, hostssl, hostnossl, hostgssenc, hostnogssenc

    public var isTCP: Bool { self != .local }
}

/// Authentication methods, spelled as in the file.
public enum AuthMethod: String, Hashable, Sendable, Codable, CaseIterable {
    case trust, reject, md5, password, gss, sspi, ident, peer, ldap, radius, cert, pam, bsd, oauth
    case scramSHA256 = "scram-sha-256"

    /// The name the view shows for the `gss` method is `gss`; messages call it gssapi.
    public var viewName: String { rawValue }
}

/// The address column.
public enum AddressSpec: Hashable, Sendable {
    case all
    case sameHost
    case sameNet
    /// A host name or `.suffix`; matching needs DNS.
    case hostname(String)
    /// A numeric address with its mask (from `/len` or a separate netmask field).
    case network(address: IPAddress, mask: IPAddress)
}

/// `clientcert=` levels.
public enum ClientCertLevel: String, Hashable, Sendable, Codable {
    case off, verifyCA = "verify-ca", verifyFull = "verify-full"
}

/// Authentication options as PostgreSQL stores them on the parsed line.
public struct AuthOptions: Hashable, Sendable {
    public var map: String?
    public var clientcert: ClientCertLevel = .off
    public var clientnameDN = false
    public var pamService: String?
    public var pamUseHostname = false
    public var ldapServer: String?
    public var ldapPort = 0
    public var ldapScheme: String?
    public var ldapTLS = false
    public var ldapPrefix: String?
    public var ldapSuffix: String?
    public var ldapBaseDN: String?
    public var ldapBindDN: String?
    public var ldapBindPassword: String?
    public var ldapSearchAttribute: String?
    public var ldapSearchFilter: String?
    public var ldapScope = 0
    public var krbRealm: String?
    public var includeRealm = false
    public var compatRealm = false
    public var upnUsername = false
    public var radiusServers: [String]?
    public var radiusServersText: String?
    public var radiusSecrets: [String]?
    public var radiusSecretsText: String?
    public var radiusPorts: [String]?
    public var radiusPortsText: String?
    public var radiusIdentifiers: [String]?
    public var radiusIdentifiersText: String?
    /// oauth (18): kept as written.
    public var oauthIssuer: String?
    public var oauthScope: String?
    public var oauthValidator: String?
    public var delegateIdentMapping = false
    /// Every `name=value` in file order, for lint and display.
    public var written: [WrittenOption] = []

    public init() {}
}

public struct WrittenOption: Hashable, Sendable {
    public var name: String
    public var value: String
}

/// A rule that parsed: what the server would load for this line.
///
/// Held once: the fields live in one shared storage, so the document's
/// line and its list of rules hold the same rule, and a copy (every
/// matcher, view and planner takes some) is one reference instead of a
/// dozen. Read-only but for its options, which the parser writes (copy on write).
public struct HBARule: Hashable, Sendable {
    public var file: String { storage.file }
    public var lineNumber: Int { storage.lineNumber }
    public var connectionType: ConnectionType { storage.connectionType }
    public var databases: [HBAToken] { storage.databases }
    public var users: [HBAToken] { storage.users }
    /// nil for `local` lines.
    public var address: AddressSpec? { storage.address }
    public var method: AuthMethod { storage.method }
    /// The options as the server reads them (defaults when none were written).
    public var options: AuthOptions {
        get { storage.writtenOptions?.value ?? AuthOptions.none }
        set { writable().writtenOptions = newValue == AuthOptions.none ? nil : BoxedOptions(newValue) }
    }
    /// No option written and none implied (most lines): nothing to list or check.
    var optionsAreDefaults: Bool { storage.writtenOptions == nil }

    /// The type token as written, for the rewrite.
    public var typeToken: HBAToken { storage.typeToken }
    /// The raw tokens of the address (and netmask) fields.
    public var addressTokens: [HBAToken] { storage.addressTokens }

    private var storage: Storage

    init(file: String, lineNumber: Int, connectionType: ConnectionType, databases: [HBAToken], users: [HBAToken],
         address: AddressSpec?, method: AuthMethod, options: AuthOptions?, typeToken: HBAToken, addressTokens: [HBAToken]) {
        storage = Storage(file: file, lineNumber: lineNumber, connectionType: connectionType, databases: databases,
                          users: users, address: address, method: method, typeToken: typeToken, addressTokens: addressTokens)
        // nil: the defaults, without comparing forty fields to find out.
        if let options { self.options = options }
    }

    /// `cert`, or `clientcert=verify-ca|verify-full`: only a client that
    /// presents a certificate the server accepts gets past this line.
    public var requiresClientCertificate: Bool { method == .cert || options.clientcert != .off }

    public static func == (left: HBARule, right: HBARule) -> Bool {
        left.storage === right.storage || left.storage.fields == right.storage.fields
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(storage.fields) }

    /// The storage, made this rule's own before a write.
    private mutating func writable() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// Its options are written only through `writable()`, which copies a shared one first.
    private final class Storage: @unchecked Sendable {
        let file: String
        let lineNumber: Int
        let connectionType: ConnectionType
        let databases: [HBAToken]
        let users: [HBAToken]
        let address: AddressSpec?
        let method: AuthMethod
        let typeToken: HBAToken
        let addressTokens: [HBAToken]
        /// Most lines write no option: the forty-odd fields of `AuthOptions`
        /// are kept out of line, once, only for those that do.
        var writtenOptions: BoxedOptions?

        init(file: String, lineNumber: Int, connectionType: ConnectionType, databases: [HBAToken], users: [HBAToken],
             address: AddressSpec?, method: AuthMethod, typeToken: HBAToken, addressTokens: [HBAToken],
             writtenOptions: BoxedOptions? = nil) {
            self.file = file
            self.lineNumber = lineNumber
            self.connectionType = connectionType
            self.databases = databases
            self.users = users
            self.address = address
            self.method = method
            self.typeToken = typeToken
            self.addressTokens = addressTokens
            self.writtenOptions = writtenOptions
        }

        func copy() -> Storage {
            Storage(file: file, lineNumber: lineNumber, connectionType: connectionType, databases: databases, users: users,
                    address: address, method: method, typeToken: typeToken, addressTokens: addressTokens,
                    writtenOptions: writtenOptions)
        }

        /// What equality and hashing compare: every field, options by value.
        struct Fields: Hashable {
            let file: String, lineNumber: Int, connectionType: ConnectionType, databases: [HBAToken], users: [HBAToken]
            let address: AddressSpec?, method: AuthMethod, typeToken: HBAToken, addressTokens: [HBAToken]
            let options: BoxedOptions?
        }

        var fields: Fields {
            Fields(file: file, lineNumber: lineNumber, connectionType: connectionType, databases: databases, users: users,
                   address: address, method: method, typeToken: typeToken, addressTokens: addressTokens, options: writtenOptions)
        }
    }
}

extension AuthOptions {
    /// A line that writes no option (made once: every rule without options reads it).
    static let none = AuthOptions()
}

/// Options shared by value: compared and hashed by what they hold.
final class BoxedOptions: Hashable, Sendable {
    let value: AuthOptions
    init(_ value: AuthOptions) { self.value = value }
    static func == (left: BoxedOptions, right: BoxedOptions) -> Bool { left === right || left.value == right.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// One tokenized line after parsing: a rule, an error, or both (a hostssl
/// line read with ssl off is loaded but carries a warning).
public struct ParsedLine: Hashable, Sendable {
    public var tokenized: TokenizedLine
    public var rule: HBARule?
    public var error: String?

    public var file: String { tokenized.file }
    public var lineNumber: Int { tokenized.lineNumber }

    /// The error as the wizard shows it: the server's words, with any part
    /// of a secret option's value they quote masked (`radiussecrets=a,b`
    /// makes the server say "authentication option not in name=value format:
    /// b"). `error` stays the server's text, to compare with its view.
    public var shownError: String? {
        guard let error else { return nil }
        return SecretMasking.hiding(SecretMasking.secretPieces(tokenized.fields), in: error)
    }

    /// Would stop the server from loading the file.
    public var isFailure: Bool { rule == nil }
}
