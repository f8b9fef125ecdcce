/// One row of `pg_settings`, reduced to what the wizard reasons about.
public struct Setting: Hashable, Sendable, Codable {
    public var name: String
    public var value: String
    /// `postmaster`, `sighup`, `superuser`, ... decides reload versus restart.
    public var context: String
    /// `default`, `configuration file`, `override`, ...
    public var source: String
    public var sourceFile: String?
    public var sourceLine: Int?
    public var pendingRestart: Bool
    public var bootValue: String?

    public init(name: String, value: String, context: String, source: String,
                sourceFile: String? = nil, sourceLine: Int? = nil,
                pendingRestart: Bool = false, bootValue: String? = nil) {
        self.name = name
        self.value = value
        self.context = context
        self.source = source
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
        self.pendingRestart = pendingRestart
        self.bootValue = bootValue
    }

    /// A change of this setting takes effect on reload (SIGHUP).
    public var reloadable: Bool { context != "postmaster" && context != "internal" }
}

/// One row of `pg_file_settings`: an assignment found in a configuration file.
public struct FileSetting: Hashable, Sendable, Codable {
    public var sourceFile: String
    public var sourceLine: Int
    public var seqno: Int
    public var name: String?
    public var value: String?
    public var applied: Bool
    public var error: String?

    public init(sourceFile: String, sourceLine: Int, seqno: Int, name: String?,
                value: String?, applied: Bool, error: String?) {
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
        self.seqno = seqno
        self.name = name
        self.value = value
        self.applied = applied
        self.error = error
    }
}

extension Array where Element == Setting {
    public subscript(named name: String) -> Setting? { first { $0.name == name } }

    /// `ssl` as the server reports it. Not proof that TLS works
    /// (docs/POSTGRES.md, "SSL initialisation and reload").
    public var sslOn: Bool { self[named: "ssl"]?.value == "on" }

    /// The TLS key exchange groups the server offers, whatever the version
    /// calls the setting: `ssl_groups` on 18 (which still accepts the old
    /// name in configuration files), `ssl_ecdh_curve` on 13-17.
    public var keyExchangeGroups: Setting? { Setting.keyExchangeGroupNames.lazy.compactMap { self[named: $0] }.first }
}

extension Setting {
    /// The names of the key exchange groups' setting, the one to prefer first.
    public static let keyExchangeGroupNames = ["ssl_groups", "ssl_ecdh_curve"]
}
