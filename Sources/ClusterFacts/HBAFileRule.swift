/// One row of the server's `pg_hba_file_rules` view, in its own shape.
/// `ruleNumber` and `fileName` exist from PostgreSQL 16 on.
public struct HBAFileRule: Hashable, Sendable, Codable {
    public var ruleNumber: Int?
    public var fileName: String?
    public var lineNumber: Int
    public var type: String?
    public var database: [String]?
    public var userName: [String]?
    public var address: String?
    public var netmask: String?
    public var authMethod: String?
    public var options: [String]?
    public var error: String?

    public init(ruleNumber: Int? = nil, fileName: String? = nil, lineNumber: Int,
                type: String?, database: [String]?, userName: [String]?,
                address: String?, netmask: String?, authMethod: String?,
                options: [String]?, error: String?) {
        self.ruleNumber = ruleNumber
        self.fileName = fileName
        self.lineNumber = lineNumber
        self.type = type
        self.database = database
        self.userName = userName
        self.address = address
        self.netmask = netmask
        self.authMethod = authMethod
        self.options = options
        self.error = error
    }

    /// The text PostgreSQL stores when a hostssl line is read while `ssl` is
    /// off. It is a warning: the line still loads (docs/POSTGRES.md,
    /// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi").
    public static let sslDisabledWarning = "hostssl record cannot match because SSL is disabled"

    /// A row that failed without an error text: every parsed column is NULL.
    /// Invalid `clientcert=` values produce these (docs/POSTGRES.md,
    /// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi").
    public var isSilentFailure: Bool {
        error == nil && type == nil && database == nil && userName == nil
            && address == nil && netmask == nil && authMethod == nil && options == nil
    }

    /// Whether this row stops a reload: a real error or a silent failure.
    public var blocksReload: Bool {
        if let error { return error != Self.sslDisabledWarning }
        return isSilentFailure
    }
}
