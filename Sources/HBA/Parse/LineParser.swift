/// PostgreSQL's parse_hba_line, message for message. Errors are collected
/// per line, never thrown, exactly where the server would report them.
public struct LineParser: Sendable {
    public let context: ParseContext

    public init(context: ParseContext) { self.context = context }

    var syntax: ServerSyntax { context.syntax }

    // By name, hashed once: `init(rawValue:)` compares the name with each
    // spelling in turn, a measurable part of parsing a large file.
    private static let connectionTypes = Dictionary(uniqueKeysWithValues: ConnectionType.allCases.map { ($0.rawValue, $0) })
    private static let methods = Dictionary(uniqueKeysWithValues: AuthMethod.allCases.map { ($0.rawValue, $0) })

    public func parse(_ line: TokenizedLine) -> ParsedLine {
        guard line.error == nil else { return ParsedLine(tokenized: line, rule: nil, error: line.error) }
        var error: String? = nil
        let rule = parseRule(line, error: &error)
        return ParsedLine(tokenized: line, rule: rule, error: error)
    }

    private func parseRule(_ line: TokenizedLine, error: inout String?) -> HBARule? {
        var fields = line.fields[...]
        let typeField = fields.removeFirst()
        guard typeField.count == 1 else { error = "multiple values specified for connection type"; return nil }
        let typeToken = typeField[0]
        guard let type = Self.connectionTypes[typeToken.text] else {
            error = "invalid connection type \"\(typeToken.text)\""
            return nil
        }
        switch type {
        case .hostssl:
            // A warning: the line is still loaded.
            if !context.build.ssl {
                error = "hostssl record cannot match because SSL is not supported by this build"
            } else if !context.sslEnabled {
                error = "hostssl record cannot match because SSL is disabled"
            }
        case .hostgssenc where !context.build.gssapi:
            error = "hostgssenc record cannot match because GSSAPI is not supported by this build"
        default:
            break
        }

        guard let databases = fields.popFirst() else { error = "end-of-line before database specification"; return nil }
        for token in databases where !checkRegex(token, error: &error) { return nil }
        guard let users = fields.popFirst() else { error = "end-of-line before role specification"; return nil }
        for token in users where !checkRegex(token, error: &error) { return nil }

        var address: AddressSpec? = nil
        var addressTokens: [HBAToken] = []
        if type != .local {
            guard let addressField = fields.popFirst() else { error = "end-of-line before IP address specification"; return nil }
            guard addressField.count == 1 else { error = "multiple values specified for host address"; return nil }
            let token = addressField[0]
            addressTokens = [token]
            guard let parsed = parseAddress(token, fields: &fields, addressTokens: &addressTokens, error: &error) else { return nil }
            address = parsed
        }

        guard let methodField = fields.popFirst() else { error = "end-of-line before authentication method"; return nil }
        guard methodField.count == 1 else { error = "multiple values specified for authentication type"; return nil }
        guard var method = parseMethod(methodField[0].text, error: &error) else { return nil }
        if type == .local, method == .ident { method = .peer }
        if type == .local, method == .gss { error = "gssapi authentication is not supported on local sockets"; return nil }
        if type != .local, method == .peer { error = "peer authentication is only supported on local sockets"; return nil }
        if type != .hostssl, method == .cert { error = "cert authentication is only supported on hostssl connections"; return nil }

        var rule = HBARule(file: line.file, lineNumber: line.lineNumber, connectionType: type, databases: databases,
                           users: users, address: address, method: method, options: nil,
                           typeToken: typeToken, addressTokens: addressTokens)
        if method == .gss || method == .sspi { rule.options.includeRealm = true }
        if method == .sspi { rule.options.compatRealm = true }

        let optionParser = AuthOptionParser(context: context)
        for field in fields {
            for token in field {
                // strchr(token, '='), on the bytes as the server does.
                let utf8 = token.text.utf8
                guard let equals = utf8.firstIndex(of: UInt8(ascii: "=")) else {
                    error = "authentication option not in name=value format: \(token.text)"
                    return nil
                }
                let name = String(Substring(utf8[..<equals]))
                let value = String(Substring(utf8[utf8.index(after: equals)...]))
                rule.options.written.append(WrittenOption(name: name, value: value))
                guard optionParser.apply(name: name, value: value, to: &rule, error: &error) else { return nil }
            }
        }
        guard optionParser.checkMandatory(&rule, error: &error) else { return nil }
        if method == .cert { rule.options.clientcert = .verifyFull }
        return rule
    }

    /// 16+: a database or user token starting with `/` must compile as a regex.
    private func checkRegex(_ token: HBAToken, error: inout String?) -> Bool {
        guard syntax.hasRegularExpressions, token.leadingByte == UInt8(ascii: "/") else { return true }
        let pattern = token.textAfterLeadingByte
        if let problem = PostgresRegex.validate(pattern) {
            error = "invalid regular expression \"\(pattern)\": \(problem)"
            return false
        }
        return true
    }

    private func parseAddress(_ token: HBAToken, fields: inout ArraySlice<[HBAToken]>, addressTokens: inout [HBAToken],
                              error: inout String?) -> AddressSpec? {
        if token.isKeyword("all") { return .all }
        if token.isKeyword("samehost") { return .sameHost }
        if token.isKeyword("samenet") { return .sameNet }
        let text = token.text
        // strchr(token, '/'): on the bytes, as the server looks (a `/` cannot
        // be hidden in a character with a combining mark after it).
        let slash = text.utf8.firstIndex(of: UInt8(ascii: "/"))
        let host = slash.map { String(Substring(text.utf8[..<$0])) } ?? text
        guard let address = numericAddress(host) else {
            if slash != nil {
                error = "specifying both host name and CIDR mask is invalid: \"\(text)\""
                return nil
            }
            return .hostname(host)
        }
        if let slash {
            guard let mask = IPAddress.cidrMask(Substring(text.utf8[text.utf8.index(after: slash)...]), family: address.family) else {
                error = "invalid CIDR mask in address \"\(text)\""
                return nil
            }
            return .network(address: address, mask: mask)
        }
        guard let maskField = fields.popFirst() else { error = "end-of-line before netmask specification"; return nil }
        guard maskField.count == 1 else { error = "multiple values specified for netmask"; return nil }
        addressTokens.append(maskField[0])
        guard let mask = numericAddress(maskField[0].text) else {
            error = "invalid IP mask \"\(maskField[0].text)\": Name or service not known"
            return nil
        }
        guard mask.family == address.family else { error = "IP address and mask do not match"; return nil }
        return .network(address: address, mask: mask)
    }

    /// getaddrinfo(AI_NUMERICHOST): an IPv6 zone must name an interface the
    /// server has (or be numeric), else glibc answers EAI_NONAME.
    private func numericAddress(_ text: String) -> IPAddress? {
        guard let address = IPAddress(numeric: text) else { return nil }
        if let zone = address.zone, !zone.allSatisfy(\.isNumber), let known = context.interfaceNames, !known.contains(zone) {
            return nil
        }
        return address
    }

    private func parseMethod(_ text: String, error: inout String?) -> AuthMethod? {
        guard let method = Self.methods[text], method != .oauth || syntax.hasOAuth else {
            error = "invalid authentication method \"\(text)\""
            return nil
        }
        let build = context.build
        let supported: Bool
        switch method {
        case .gss: supported = build.gssapi
        case .sspi: supported = build.sspi
        case .pam: supported = build.pam
        case .bsd: supported = build.bsdAuth
        case .ldap: supported = build.ldap
        case .cert: supported = build.ssl
        default: supported = true
        }
        guard supported else {
            error = "invalid authentication method \"\(text)\": not supported by this build"
            return nil
        }
        return method
    }
}
