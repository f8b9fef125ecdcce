/// parse_hba_auth_opt and the mandatory-argument checks after it. Returns
/// false when the line fails; some failures set no message, exactly as the
/// server's (those rows show only NULLs in pg_hba_file_rules; docs/POSTGRES.md,
/// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi").
struct AuthOptionParser {
    let context: ParseContext
    var syntax: ServerSyntax { context.syntax }

    func apply(name: String, value: String, to rule: inout HBARule, error: inout String?) -> Bool {
        var options = rule.options
        defer { rule.options = options }
        let method = rule.method
        if context.build.ldap { options.ldapScope = 2 } // LDAP_SCOPE_SUBTREE, reset on every option

        func invalid(_ valid: String) -> Bool {
            error = "authentication option \"\(name)\" is only valid for authentication methods \(valid)"
            return false
        }
        func require(_ wanted: AuthMethod) -> Bool { method == wanted || invalid(wanted.rawValue) }

        switch name {
        case "map":
            let allowed: [AuthMethod] = syntax.hasOAuth ? [.ident, .peer, .gss, .sspi, .cert, .oauth] : [.ident, .peer, .gss, .sspi, .cert]
            guard allowed.contains(method) else {
                return invalid(syntax.hasOAuth ? "ident, peer, gssapi, sspi, cert, and oauth" : "ident, peer, gssapi, sspi, and cert")
            }
            options.map = value
        case "clientcert":
            guard rule.connectionType == .hostssl else {
                error = "clientcert can only be configured for \"hostssl\" rows"
                return false
            }
            if syntax.hasModernClientcert {
                switch value {
                case "verify-full": options.clientcert = .verifyFull
                case "verify-ca":
                    guard method != .cert else {
                        error = "clientcert can only be set to \"verify-full\" when using \"cert\" authentication"
                        return false
                    }
                    options.clientcert = .verifyCA
                default: return false
                }
            } else {
                switch value {
                case "1", "verify-ca": options.clientcert = .verifyCA
                case "verify-full": options.clientcert = .verifyFull
                case "0", "no-verify":
                    guard method != .cert else {
                        error = "clientcert cannot be set to \"no-verify\" when using \"cert\" authentication"
                        return false
                    }
                    options.clientcert = .off
                default: return false
                }
            }
        case "clientname" where syntax.hasClientname:
            guard rule.connectionType == .hostssl else {
                error = "clientname can only be configured for \"hostssl\" rows"
                return false
            }
            switch value {
            case "CN": options.clientnameDN = false
            case "DN": options.clientnameDN = true
            default: return false
            }
        case "pamservice":
            guard require(.pam) else { return false }
            options.pamService = value
        case "pam_use_hostname":
            guard require(.pam) else { return false }
            options.pamUseHostname = value == "1"
        case "ldapurl":
            guard require(.ldap) else { return false }
            switch LDAPURL.parse(value) {
            case .failure(let message):
                error = message
                return false
            case .success(let url):
                guard url.scheme == "ldap" || url.scheme == "ldaps" else {
                    error = "unsupported LDAP URL scheme: \(url.scheme)"
                    return false
                }
                options.ldapScheme = url.scheme
                if let host = url.host { options.ldapServer = host }
                options.ldapPort = url.port
                if let dn = url.baseDN { options.ldapBaseDN = dn }
                if let attribute = url.attribute { options.ldapSearchAttribute = attribute }
                options.ldapScope = url.scope
                if let filter = url.filter { options.ldapSearchFilter = filter }
            }
        case "ldaptls":
            guard require(.ldap) else { return false }
            options.ldapTLS = value == "1"
        case "ldapscheme":
            guard require(.ldap) else { return false }
            options.ldapScheme = value // an invalid value is only logged
        case "ldapserver":
            guard require(.ldap) else { return false }
            options.ldapServer = value
        case "ldapport":
            guard require(.ldap) else { return false }
            options.ldapPort = CLib.atoi(value)
            guard options.ldapPort != 0 else {
                error = "invalid LDAP port number: \"\(value)\""
                return false
            }
        case "ldapbinddn":
            guard require(.ldap) else { return false }
            options.ldapBindDN = value
        case "ldapbindpasswd":
            guard require(.ldap) else { return false }
            options.ldapBindPassword = value
        case "ldapsearchattribute":
            guard require(.ldap) else { return false }
            options.ldapSearchAttribute = value
        case "ldapsearchfilter":
            guard require(.ldap) else { return false }
            options.ldapSearchFilter = value
        case "ldapbasedn":
            guard require(.ldap) else { return false }
            options.ldapBaseDN = value
        case "ldapprefix":
            guard require(.ldap) else { return false }
            options.ldapPrefix = value
        case "ldapsuffix":
            guard require(.ldap) else { return false }
            options.ldapSuffix = value
        case "krb_realm":
            guard method == .gss || method == .sspi else { return invalid("gssapi and sspi") }
            options.krbRealm = value
        case "include_realm":
            guard method == .gss || method == .sspi else { return invalid("gssapi and sspi") }
            options.includeRealm = value == "1"
        case "compat_realm":
            guard method == .sspi else { return invalid("sspi") }
            options.compatRealm = value == "1"
        case "upn_username":
            guard method == .sspi else { return invalid("sspi") }
            options.upnUsername = value == "1"
        case "radiusservers":
            guard require(.radius) else { return false }
            guard let servers = CLib.splitGUCList(value) else { return false }
            // Each server is resolved with getaddrinfo; numeric ones always
            // resolve, names depend on DNS and are taken to resolve here.
            options.radiusServers = servers
            options.radiusServersText = value
        case "radiusports":
            guard require(.radius) else { return false }
            guard let ports = CLib.splitGUCList(value) else {
                error = "invalid RADIUS port number: \"\(value)\""
                return false
            }
            guard ports.allSatisfy({ CLib.atoi($0) != 0 }) else { return false }
            options.radiusPorts = ports
            options.radiusPortsText = value
        case "radiussecrets":
            guard require(.radius) else { return false }
            guard let secrets = CLib.splitGUCList(value) else { return false }
            options.radiusSecrets = secrets
            options.radiusSecretsText = value
        case "radiusidentifiers":
            guard require(.radius) else { return false }
            guard let identifiers = CLib.splitGUCList(value) else { return false }
            options.radiusIdentifiers = identifiers
            options.radiusIdentifiersText = value
        case "issuer" where syntax.hasOAuth:
            guard require(.oauth) else { return false }
            options.oauthIssuer = value
        case "scope" where syntax.hasOAuth:
            guard require(.oauth) else { return false }
            options.oauthScope = value
        case "validator" where syntax.hasOAuth:
            guard require(.oauth) else { return false }
            options.oauthValidator = value
        case "delegate_ident_mapping" where syntax.hasOAuth:
            guard require(.oauth) else { return false }
            options.delegateIdentMapping = value == "1"
        default:
            error = "unrecognized authentication option name: \"\(name)\""
            return false
        }
        return true
    }

    /// The checks after all options are read.
    func checkMandatory(_ rule: inout HBARule, error: inout String?) -> Bool {
        // The options are copied out (forty-odd fields) only for the methods
        // that have mandatory ones, not for every line.
        func mandatory(_ present: Bool, _ argument: String, _ method: String) -> Bool {
            if !present { error = "authentication method \"\(method)\" requires argument \"\(argument)\" to be set" }
            return present
        }
        switch rule.method {
        case .ldap:
            let options = rule.options
            if options.ldapPrefix != nil || options.ldapSuffix != nil {
                if options.ldapBaseDN != nil || options.ldapBindDN != nil || options.ldapBindPassword != nil
                    || options.ldapSearchAttribute != nil || options.ldapSearchFilter != nil {
                    error = syntax.major >= 16
                        ? "cannot mix options for simple bind and search+bind modes"
                        : "cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix"
                    return false
                }
            } else if options.ldapBaseDN == nil {
                error = "authentication method \"ldap\" requires argument \"ldapbasedn\", \"ldapprefix\", or \"ldapsuffix\" to be set"
                return false
            }
            if options.ldapSearchAttribute != nil, options.ldapSearchFilter != nil {
                error = "cannot use ldapsearchattribute together with ldapsearchfilter"
                return false
            }
        case .radius:
            let options = rule.options
            // An empty list is stored as NIL, so it fails as "not set".
            guard mandatory(!(options.radiusServers ?? []).isEmpty, "radiusservers", "radius"),
                  mandatory(!(options.radiusSecrets ?? []).isEmpty, "radiussecrets", "radius") else { return false }
            let servers = options.radiusServers?.count ?? 0
            let lists: [(String, Int, Bool)] = [
                ("RADIUS secrets", options.radiusSecrets?.count ?? 0, false),
                ("RADIUS ports", options.radiusPorts?.count ?? 0, true),
                ("RADIUS identifiers", options.radiusIdentifiers?.count ?? 0, true),
            ]
            for (label, count, mayBeEmpty) in lists where !(count == 1 || count == servers || (mayBeEmpty && count == 0)) {
                let message = "the number of \(label) (\(count)) must be 1 or the same as the number of RADIUS servers (\(servers))"
                if syntax.major >= 14 { error = message }
                return false
            }
        case .oauth:
            let options = rule.options
            // 18.6 checks scope first (seen live by the matrix differential).
            guard mandatory(options.oauthScope != nil, "scope", "oauth"),
                  mandatory(options.oauthIssuer != nil, "issuer", "oauth") else { return false }
        default:
            break
        }
        return true
    }
}

/// C library behaviour the server's parsing leans on.
enum CLib {
    /// atoi: optional white space and sign, then digits up to the first non-digit.
    static func atoi(_ text: String) -> Int {
        var characters = Substring(text).drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        var sign = 1
        if let first = characters.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            characters = characters.dropFirst()
        }
        var value = 0
        for character in characters {
            guard character.isASCII, let digit = character.wholeNumberValue else { break }
            value = min(value * 10 + digit, Int(Int32.max))
        }
        return sign * value
    }

    /// SplitGUCList with a comma: optional double quotes, white space
    /// trimmed, an empty string gives an empty list, an empty element fails.
    static func splitGUCList(_ text: String) -> [String]? {
        let characters = Array(text)
        var position = 0
        func skipSpace() { while position < characters.count, characters[position].isWhitespace { position += 1 } }
        skipSpace()
        if position == characters.count { return [] }
        var result: [String] = []
        while true {
            // An element must follow every comma.
            guard position < characters.count else { return nil }
            var element = ""
            if characters[position] == "\"" {
                position += 1
                while true {
                    guard position < characters.count else { return nil }
                    if characters[position] == "\"" {
                        if position + 1 < characters.count, characters[position + 1] == "\"" {
                            element.append("\"")
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    element.append(characters[position])
                    position += 1
                }
            } else {
                let start = position
                while position < characters.count, characters[position] != ",", !characters[position].isWhitespace { position += 1 }
                guard position > start else { return nil }
                element = String(characters[start..<position])
            }
            skipSpace()
            result.append(element)
            if position == characters.count { return result }
            guard characters[position] == "," else { return nil }
            position += 1
            skipSpace()
        }
    }
}
