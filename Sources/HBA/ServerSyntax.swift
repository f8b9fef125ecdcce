/// What a given server version accepts in pg_hba.conf (docs/POSTGRES.md,
/// "pg_hba.conf syntax" and "Version differences 13-18").
public struct ServerSyntax: Hashable, Sendable, Codable {
    public let major: Int

    public init(major: Int) { self.major = major }

    public static let newest = ServerSyntax(major: 18)

    /// `\` at the end of a line joins the next one (14+).
    public var hasLineContinuation: Bool { major >= 14 }
    /// Longest token in bytes (13: 255; 14 and 15: 10239; later unlimited).
    /// The 14.3 sources still read 255, but 14.23 takes 10239 like 15 (a
    /// minor release raised it; the matrix runs the current 14).
    public var maxTokenBytes: Int? { major <= 13 ? 255 : major <= 15 ? 10239 : nil }
    /// Longest physical line in bytes (13 reads with an 8192-byte buffer).
    public var maxLineBytes: Int? { major <= 13 ? 8191 : nil }
    /// `include`, `include_if_exists`, `include_dir` records (16+).
    public var hasIncludeDirectives: Bool { major >= 16 }
    /// `/regex` database and user tokens (16+).
    public var hasRegularExpressions: Bool { major >= 16 }
    /// `clientcert` takes only verify-ca / verify-full (14+); 13 also 1/0/no-verify.
    public var hasModernClientcert: Bool { major >= 14 }
    /// `clientname=CN|DN` (14+).
    public var hasClientname: Bool { major >= 14 }
    /// The `oauth` authentication method (18).
    public var hasOAuth: Bool { major >= 18 }
    /// Missing @-files are reported as "could not open file" (16+) instead of
    /// "could not open secondary authentication file".
    public var hasUnifiedFileErrors: Bool { major >= 16 }
    /// Include files may nest this deep (16+; older servers recurse without a bound).
    public var maxIncludeDepth: Int { 10 }
}

/// Optional parts of a server build that change what pg_hba.conf accepts:
/// a method the build lacks is "not supported by this build".
public struct BuildFeatures: Hashable, Sendable, Codable {
    public var ssl: Bool
    public var gssapi: Bool
    public var sspi: Bool
    public var pam: Bool
    public var bsdAuth: Bool
    public var ldap: Bool

    public init(ssl: Bool = true, gssapi: Bool = true, sspi: Bool = false, pam: Bool = true,
                bsdAuth: Bool = false, ldap: Bool = true) {
        self.ssl = ssl
        self.gssapi = gssapi
        self.sspi = sspi
        self.pam = pam
        self.bsdAuth = bsdAuth
        self.ldap = ldap
    }

    /// Debian's and most Linux distributions' server builds.
    public static let typicalLinux = BuildFeatures()

    /// From `pg_config --configure` output (`'--with-gssapi'`, ...).
    public init(configureFlags: String) {
        self.init(ssl: configureFlags.contains("--with-openssl") || configureFlags.contains("--with-ssl=openssl"),
                  gssapi: configureFlags.contains("--with-gssapi"),
                  sspi: false,
                  pam: configureFlags.contains("--with-pam"),
                  bsdAuth: configureFlags.contains("--with-bsd-auth"),
                  ldap: configureFlags.contains("--with-ldap"))
    }
}

/// Everything besides the file text that decides how a server reads it.
public struct ParseContext: Hashable, Sendable {
    public var syntax: ServerSyntax
    public var build: BuildFeatures
    /// The `ssl` setting of the backend reading the file: with ssl off,
    /// hostssl lines carry a warning (docs/POSTGRES.md,
    /// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi").
    public var sslEnabled: Bool
    /// The server's network interface names, for IPv6 zones (`fe80::1%eth0`);
    /// nil when unknown (every zone is then taken to exist).
    public var interfaceNames: Set<String>?

    public init(syntax: ServerSyntax = .newest, build: BuildFeatures = .typicalLinux, sslEnabled: Bool = true,
                interfaceNames: Set<String>? = nil) {
        self.syntax = syntax
        self.build = build
        self.sslEnabled = sslEnabled
        self.interfaceNames = interfaceNames
    }
}
