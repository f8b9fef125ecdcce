import TestSupport
/// Random pg_hba.conf files covering the syntax, valid and broken, for
/// comparing our reading with the server's `pg_hba_file_rules`.
/// Aux files (@users.txt, @dbs.txt, conf.d/...) are created by the test.
struct ExplainFileGenerator {
    var random: SeededRandom
    let version: Int

    init(seed: UInt64, version: Int) {
        random = SeededRandom(seed: seed)
        self.version = version
    }

    mutating func file() -> String {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 3...18, using: &random) {
            switch Int.random(in: 0..<20, using: &random) {
            case 0: lines.append("")
            case 1: lines.append(random.pick(["# comment", "   # indented comment", "#host all all all trust", "\t"]))
            case 2 where version >= 16:
                lines.append(random.pick(["include extra.conf", "include_if_exists missing.conf", "include_if_exists extra.conf",
                                          "include_dir conf.d", "include missing.conf", "include_dir nodir", "\"include\" extra.conf"]))
            case 3: lines.append(random.pick(["include extra.conf", "local", "host all", "local all all", "HOST all all all md5",
                                              "host,local all all all md5", "local all all peer extra"]))
            default: lines.append(ruleLine())
            }
        }
        var text = lines.joined(separator: random.chance(0.1) ? "\r\n" : "\n")
        if random.chance(0.85) { text += "\n" }
        return text
    }

    mutating func separator() -> String { random.pick([" ", " ", "  ", "\t", " \t", "    "]) }

    mutating func list(_ pool: [String]) -> String {
        let count = random.chance(0.75) ? 1 : Int.random(in: 2...4, using: &random)
        return (0..<count).map { _ in random.pick(pool) }.joined(separator: random.chance(0.8) ? "," : ", ")
    }

    mutating func ruleLine() -> String {
        let type = random.chance(0.03) ? random.pick(["hosts", "Local", "\"host\""])
            : random.pick(["local", "host", "host", "host", "hostssl", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"])
        var databases = [
            "all", "all", "sameuser", "samerole", "samegroup", "replication", "app", "\"all\"", "\"my db\"", "db1",
            "@dbs.txt", "@missing.txt", "\"@dbs.txt\"", "café", "x\"y\"", "\"a,b\"", "\"replication\"", "/^app_[0-9]+$",
        ]
        var users = ["all", "all", "u1", "+g1", "+\"g 1\"", "\"+lit\"", "@users.txt", "postgres", "\"all\"", "a#b", "sameuser"]
        if version >= 16 || random.chance(0.3) {
            databases += ["/^(bad", "/x{2,1}", "/[[:alpha:]]+", "/a**"]
            users += ["/^u[0-9]+$", "/^(bad", "/app"]
        }
        var fields = [type, list(databases), list(users)]
        if type != "local" || random.chance(0.05) {
            let addresses = [
                "all", "samehost", "samenet", "10.0.0.0/8", "10.1.2.3/8", "127.0.0.1/32", "127.1/32", "0.0.0.0/0", "::1/128",
                "::/0", "fe80::1%lo/64", "fe80::1%nosuch0/64", "2001:db8::/32", "::ffff:10.0.0.1/128", "10.0.0.0 255.0.0.0",
                "10.0.0.0 255.0.255.0", "::1 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "10.0.0.0 ffff::", "db.example.com",
                ".example.com", "db.example.com/24", "10.0.0.256", "10.0.0.0/33", "1.2.3.4/", "1.2.3.4/+8", "0x7f.1/32",
                "10.0.0.0/8,10.1.0.0/16", "\"all\"", "\"10.0.0.0/8\"", "2001:db8::1 ffff:ffff::",
            ]
            fields.append(random.pick(addresses))
        }
        fields.append(random.chance(0.04) ? random.pick(["MD5", "krb5", "crypt", "oauth", "md5,trust"])
            : random.pick(["trust", "reject", "md5", "password", "scram-sha-256", "scram-sha-256", "peer", "ident", "gss",
                           "sspi", "ldap", "radius", "cert", "pam", "bsd"]))
        let method = fields.last!
        fields += options(for: method)
        if random.chance(0.05), fields.count > 2 { fields.removeLast(Int.random(in: 1...2, using: &random)) }
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 {
                if version >= 14, random.chance(0.04) { line += " \\\n   " } else { line += separator() }
            }
            line += field
        }
        if random.chance(0.02) { line = line.replacingOccurrences(of: " all ", with: " all ,") }
        if random.chance(0.1) { line += separator() + "# trailing" }
        if random.chance(0.01) { line = "host " + String(repeating: "x", count: random.pick([254, 255, 256, 10239, 10240])) + " all all md5" }
        return line
    }

    mutating func options(for method: String) -> [String] {
        var pool = ["clientcert=verify-full", "clientcert=verify-ca", "clientcert=1", "clientcert=0", "clientcert=no-verify",
                    "clientcert=bogus", "clientname=CN", "clientname=DN", "clientname=XX", "map=m", "bogus=1", "bareword", "=x"]
        switch method {
        case "ldap":
            pool += ["ldapserver=ldap.example", "ldapport=389", "ldapport=0", "ldapport=x9", "ldapbasedn=dc=example,dc=com",
                     "ldapbasedn=\"dc=example,dc=com\"", "ldapprefix=cn=", "ldapsuffix=,dc=example", "ldapbinddn=cn=admin",
                     "ldapbindpasswd=secret", "ldapsearchattribute=uid", "ldapsearchfilter=(uid=$username)", "ldaptls=1",
                     "ldaptls=0", "ldapscheme=ldaps", "ldapscheme=bogus", "ldapurl=\"ldap://h:99/dc=x?uid?sub\"",
                     "ldapurl=ldap://h/dc=y", "ldapurl=http://h", "ldapurl=ldaps://h2/dc=z??one"]
        case "radius":
            pool += ["radiusservers=1.2.3.4", "radiusservers=\"1.2.3.4,5.6.7.8\"", "radiussecrets=s", "radiussecrets=\"a,b\"",
                     "radiussecrets=\"a,b,c\"", "radiusports=1812", "radiusports=x", "radiusports=\"1,2\"", "radiusidentifiers=i",
                     "radiusservers=\"\"", "radiusports=\"1812,\""]
        case "pam": pool += ["pamservice=postgresql", "pam_use_hostname=1"]
        case "gss", "sspi": pool += ["include_realm=0", "include_realm=1", "krb_realm=EXAMPLE.COM", "compat_realm=1", "upn_username=1"]
        case "cert", "ident", "peer": pool += ["map=certmap", "map=m"]
        default: break
        }
        let count = method == "ldap" || method == "radius" ? Int.random(in: 1...4, using: &random)
            : (random.chance(0.7) ? 0 : Int.random(in: 1...2, using: &random))
        return (0..<count).map { _ in random.pick(pool) }
    }
}
