import ClusterFacts

/// The document in the shape of the server's `pg_hba_file_rules` view,
/// column for column, so the two can be compared row by row.
public enum FileRulesView {
    public static func rows(of document: HBADocument) -> [HBAFileRule] {
        var numbering = Numbering(syntax: document.context.syntax)
        return document.lines.map { numbering.row(for: $0) }
    }

    /// The rows as the wizard shows them: an error that quotes part of a
    /// secret has it masked (`ParsedLine.shownError`); `rows` keeps the
    /// server's words, to compare with its view.
    public static func shownRows(of document: HBADocument) -> [HBAFileRule] {
        var numbering = Numbering(syntax: document.context.syntax)
        return document.lines.map { numbering.shownRow(for: $0) }
    }

    /// Rows made one line after another, numbered as the view numbers them:
    /// a reader that streams the lines (`hba explain`) keeps none of them.
    public struct Numbering {
        private let modern: Bool
        private var ruleNumber = 0

        public init(syntax: ServerSyntax) { modern = syntax.major >= 16 }

        public mutating func row(for line: ParsedLine) -> HBAFileRule {
            if line.error == nil { ruleNumber += 1 }
            var row = HBAFileRule(lineNumber: line.lineNumber, type: nil, database: nil, userName: nil, address: nil,
                                  netmask: nil, authMethod: nil, options: nil, error: line.error)
            if modern {
                row.ruleNumber = line.error == nil ? ruleNumber : nil
                row.fileName = line.file
            }
            guard let rule = line.rule else { return row }
            row.type = rule.connectionType.rawValue
            row.database = rule.databases.map(\.text)
            row.userName = rule.users.map(\.text)
            switch rule.address {
            case nil: break
            case .all?: row.address = "all"
            case .sameHost?: row.address = "samehost"
            case .sameNet?: row.address = "samenet"
            case .hostname(let name)?: row.address = name
            case .network(let address, let mask)?:
                row.address = address.withoutZone.description
                row.netmask = mask.description
            }
            row.authMethod = rule.method.viewName
            let options = optionTexts(rule)
            row.options = options.isEmpty ? nil : options
            return row
        }

        /// `row(for:)` with the error as the wizard shows it.
        public mutating func shownRow(for line: ParsedLine) -> HBAFileRule {
            var row = row(for: line)
            row.error = line.shownError
            return row
        }
    }

    /// gethba_options: the options as the view lists them, in its order.
    static func optionTexts(_ rule: HBARule) -> [String] {
        // The defaults list nothing, for any method (and copying them out is most of the cost).
        guard !rule.optionsAreDefaults else { return [] }
        let o = rule.options
        var texts: [String] = []
        if rule.method == .gss || rule.method == .sspi {
            if o.includeRealm { texts.append("include_realm=true") }
            if let realm = o.krbRealm { texts.append("krb_realm=\(realm)") }
        }
        if let map = o.map { texts.append("map=\(map)") }
        if o.clientcert != .off { texts.append("clientcert=\(o.clientcert.rawValue)") }
        if let service = o.pamService { texts.append("pamservice=\(service)") }
        if rule.method == .ldap {
            if let server = o.ldapServer { texts.append("ldapserver=\(server)") }
            if o.ldapPort != 0 { texts.append("ldapport=\(o.ldapPort)") }
            if let scheme = o.ldapScheme { texts.append("ldapscheme=\(scheme)") }
            if o.ldapTLS { texts.append("ldaptls=true") }
            if let prefix = o.ldapPrefix { texts.append("ldapprefix=\(prefix)") }
            if let suffix = o.ldapSuffix { texts.append("ldapsuffix=\(suffix)") }
            if let base = o.ldapBaseDN { texts.append("ldapbasedn=\(base)") }
            if let bind = o.ldapBindDN { texts.append("ldapbinddn=\(bind)") }
            if let password = o.ldapBindPassword { texts.append("ldapbindpasswd=\(password)") }
            if let attribute = o.ldapSearchAttribute { texts.append("ldapsearchattribute=\(attribute)") }
            if let filter = o.ldapSearchFilter { texts.append("ldapsearchfilter=\(filter)") }
            if o.ldapScope != 0 { texts.append("ldapscope=\(o.ldapScope)") }
        }
        if rule.method == .radius {
            if let servers = o.radiusServersText { texts.append("radiusservers=\(servers)") }
            if let secrets = o.radiusSecretsText { texts.append("radiussecrets=\(secrets)") }
            if let identifiers = o.radiusIdentifiersText { texts.append("radiusidentifiers=\(identifiers)") }
            if let ports = o.radiusPortsText { texts.append("radiusports=\(ports)") }
        }
        if rule.method == .oauth {
            if let issuer = o.oauthIssuer { texts.append("issuer=\(issuer)") }
            if let scope = o.oauthScope { texts.append("scope=\(scope)") }
            if let validator = o.oauthValidator { texts.append("validator=\(validator)") }
            if o.delegateIdentMapping { texts.append("delegate_ident_mapping=true") }
        }
        return texts
    }
}
