/// What a security review of pg_hba.conf would flag.
public enum HBALinter {
    public static func lint(_ document: HBADocument) -> [LintFinding] {
        var findings: [LintFinding] = []
        func add(_ severity: LintFinding.Severity, _ code: String, _ file: String, _ line: Int, _ message: String, _ fix: String) {
            findings.append(LintFinding(severity: severity, code: code, file: file, lineNumber: line, message: message, fix: fix))
        }
        for line in document.lines {
            if line.tokenized.unpredictable {
                add(.error, "nul-byte", line.file, line.lineNumber, "the line contains a NUL byte; PostgreSQL reads such lines unpredictably",
                    "remove the NUL byte (the file is probably corrupted)")
            } else if line.rule == nil {
                let message = line.shownError ?? "an option has an invalid value; the server rejects this line without an error message"
                add(.error, "invalid-line", line.file, line.lineNumber, message + " (the server refuses to load the whole file)",
                    line.error == nil ? "check the values of \(SecretMasking.options(line.tokenized.fields.dropFirst(4)).joined(separator: " ")); clientcert takes verify-ca or verify-full" : "correct the line, then check it with pg-ssl-wizard hba explain")
            } else if let warning = line.shownError {
                add(.warning, "hostssl-inactive", line.file, line.lineNumber, warning, "turn ssl on before relying on hostssl lines")
            }
        }
        let rules = document.rules
        var earlierRules = ShadowingIndex()
        for (index, rule) in rules.enumerated() {
            defer { earlierRules.add(rule, at: index) }
            let file = rule.file, number = rule.lineNumber
            let tcp = rule.connectionType.isTCP
            let reach = tcp ? HostsslRewriter.reach(of: rule.address) : .loopbackOnly("local")
            let loopbackOnly: Bool
            if case .loopbackOnly = reach { loopbackOnly = true } else { loopbackOnly = false }
            let plainText = tcp && [.host, .hostnossl, .hostnogssenc].contains(rule.connectionType)

            switch rule.method {
            case .trust where tcp && !loopbackOnly:
                add(.error, "trust-over-tcp", file, number, "trust over TCP admits anyone who can reach the port, as any listed role, without a password",
                    "use scram-sha-256 (or cert on a hostssl line)")
            case .trust where tcp:
                add(.warning, "trust-loopback", file, number, "trust on loopback lets every local OS user connect as any listed role",
                    "use scram-sha-256, or peer on a local line")
            case .password:
                add(plainText ? .error : .warning, "cleartext-password", file, number,
                    plainText ? "password sends the password in clear text over a connection that may not be encrypted" : "password sends the password itself to the server (over TLS here)",
                    "use scram-sha-256")
            case .md5:
                add(.warning, "md5", file, number, "md5 is deprecated and weaker than SCRAM (a stolen hash is enough to log in)",
                    "set password_encryption = 'scram-sha-256', reset the passwords, then use scram-sha-256")
            case .ident where tcp:
                add(.warning, "ident-over-tcp", file, number, "ident over TCP believes whatever the client host's identd says",
                    "use scram-sha-256 or cert")
            case .ldap where rule.options.ldapScheme != "ldaps" && !rule.options.ldapTLS:
                add(.warning, "ldap-cleartext", file, number, "passwords travel to the LDAP server in clear text",
                    "add ldaptls=1 or use ldapscheme=ldaps")
            default:
                break
            }

            if rule.method != .reject, [.host, .hostnogssenc].contains(rule.connectionType), !loopbackOnly {
                add(.warning, "plaintext-remote", file, number, "\(rule.connectionType.rawValue) admits remote clients without SSL (clients default to sslmode=prefer)",
                    "use hostssl (pg-ssl-wizard hba rewrite shows the change)")
            }
            if rule.method != .reject, rule.connectionType == .hostnossl {
                add(.warning, "hostnossl", file, number, "hostnossl admits plain-text TCP on purpose",
                    "remove it unless a client truly cannot use TLS; then restrict its address to that client")
            }
            if case .hostname(let name)? = rule.address, name.lowercased() != "localhost" {
                add(.info, "dns-dependent", file, number, "matching \(name) depends on reverse and forward DNS at connection time",
                    "prefer a CIDR address if DNS is not trusted")
            }
            if case .sameNet? = rule.address, rule.method != .reject {
                add(.info, "samenet", file, number, "samenet admits every host on any of the server's subnets, which change with the network",
                    "write the client networks as CIDR addresses")
            }
            if tcp, rule.method != .reject, case .remoteAndLoopback = reach,
               rule.users.contains(where: { $0.isKeyword("all") || $0.text == "postgres" }),
               rule.databases.contains(where: { $0.isKeyword("all") }) {
                add(.info, "wide-open", file, number, "every role, including superusers, may log in from any address this line covers",
                    "list the roles and networks that need access")
            }
            if document.context.syntax.hasRegularExpressions {
                for token in rule.databases + rule.users where token.leadingByte == UInt8(ascii: "/") {
                    let pattern = Substring(token.textAfterLeadingByte)
                    if !pattern.hasPrefix("^") || !pattern.hasSuffix("$") {
                        add(.warning, "unanchored-regex", file, number, "the regular expression \(token.text) is unanchored: it matches any name containing it",
                            "anchor it: /^\(pattern.drop { $0 == "^" })\(pattern.hasSuffix("$") ? "" : "$")")
                    }
                }
            }
            for token in rule.databases + rule.users where token.quoted && ["all", "sameuser", "samerole", "replication"].contains(token.text) {
                add(.info, "quoted-keyword", file, number, "\"\(token.text)\" in quotes is a name, not the keyword",
                    "remove the quotes if the keyword was meant")
            }
            if let earlier = earlierRules.candidates(for: rule).first(where: { Shadowing.covers(rules[$0], rule) }).map({ rules[$0] }) {
                add(.warning, "unreachable", file, number, "this line can never match: line \(earlier.lineNumber) matches every connection it would",
                    "remove it, or move it above line \(earlier.lineNumber)")
            }
        }
        if rules.contains(where: { if case .network(let a, _)? = $0.address { return a == .loopbackV4 }; return false }),
           !rules.contains(where: { if case .network(let a, _)? = $0.address { return a.family == .v6 }; return false }) {
            add(.info, "no-ipv6-loopback", document.path, 0, "there are rules for 127.0.0.1 but none for IPv6; localhost may resolve to ::1",
                "add the matching ::1/128 rule")
        }
        return findings.sorted { ($0.file, $0.lineNumber, $0.severity) < ($1.file, $1.lineNumber, $1.severity) }
    }
}

/// "Rule A matches every connection rule B matches": B can never be reached.
enum Shadowing {
    static func covers(_ a: HBARule, _ b: HBARule) -> Bool {
        typeCovers(a.connectionType, b.connectionType) && addressCovers(a.address, b.address)
            && databasesCover(a.databases, b.databases) && usersCover(a.users, b.users)
    }

    static func typeCovers(_ a: ConnectionType, _ b: ConnectionType) -> Bool {
        if a == b { return true }
        switch a {
        case .host: return b.isTCP
        case .hostnogssenc: return b == .hostssl
        default: return false
        }
    }

    static func addressCovers(_ a: AddressSpec?, _ b: AddressSpec?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (.all?, _?): return true
        case (.network(let na, let ma)?, .network(let nb, let mb)?):
            guard na.family == nb.family else { return false }
            let narrower = zip(ma.bytes, mb.bytes).allSatisfy { $0 & $1 == $0 }
            return narrower && nb.masked(by: ma) == na.masked(by: ma)
        case (let x?, let y?): return x == y
        default: return false
        }
    }

    static func databasesCover(_ a: [HBAToken], _ b: [HBAToken]) -> Bool {
        let bNames = Set(b.map { Key($0) })
        if a.contains(where: { $0.isKeyword("all") }), !b.contains(where: { $0.isKeyword("replication") }) { return true }
        return bNames.isSubset(of: Set(a.map { Key($0) }))
    }

    static func usersCover(_ a: [HBAToken], _ b: [HBAToken]) -> Bool {
        if a.contains(where: { $0.isKeyword("all") }) { return true }
        return Set(b.map { Key($0) }).isSubset(of: Set(a.map { Key($0) }))
    }

    struct Key: Hashable {
        var text: String
        var quoted: Bool
        init(_ token: HBAToken) { text = token.text; quoted = token.quoted }
    }
}
