import HBA
import TestSupport

/// Valid rule files whose deciding line the server reveals: rules use
/// `password` (a wrong password logs "Connection matched ... line N"), and
/// hostssl rules sometimes want a client certificate (`cert`, or `password`
/// with `clientcert=`); at most one rule is `reject`. No host names: the lab
/// has no DNS.
struct MatchFileGenerator {
    var random: SeededRandom
    let version: Int
    let clientSubnets: [String]

    init(seed: UInt64, version: Int, clientSubnets: [String]) {
        random = SeededRandom(seed: seed)
        self.version = version
        self.clientSubnets = clientSubnets
    }

    mutating func list(_ pool: [String]) -> String {
        let count = random.chance(0.8) ? 1 : Int.random(in: 2...3, using: &random)
        return (0..<count).map { _ in random.pick(pool) }.joined(separator: ",")
    }

    mutating func file() -> String {
        var databases = ["all", "all", "sameuser", "samerole", "replication", "d1", "d2", "g1", "u1", "postgres", "\"all\"",
                         "\"replication\"", "@dbs.txt", "d1,replication"]
        var users = ["all", "all", "u1", "u2", "u3", "+g1", "+u2", "postgres", "ghost", "\"all\"", "@users.txt", "\"+g1\""]
        if version >= 16 {
            databases += ["/^d[0-9]$", "/^(g1|u1)$", "/1"]
            users += ["/^u[12]$", "/^u"]
        }
        let addresses = ["all", "all", "samehost", "samenet", "127.0.0.1/32", "127.0.0.0/8", "::1/128", "::/0", "0.0.0.0/0",
                         "10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12", "fd77::/16", "127.1/32", "10.77.0.0/16",
                         "::ffff:10.77.1.2/128", "10.77.1.0 255.255.255.0", "192.168.77.2 255.255.255.255"] + clientSubnets
        let types = ["local", "host", "host", "hostssl", "hostssl", "hostnossl", "hostnogssenc", "hostgssenc"]
        var rejectUsed = false
        // The test's control role keeps a way in over the socket; no attempt uses it.
        var lines = ["# generated", "local all pgsw_control trust"]
        for _ in 0..<Int.random(in: 3...12, using: &random) {
            let type = random.pick(types)
            var fields = [type, list(databases), list(users)]
            if type != "local" { fields.append(random.pick(addresses)) }
            let reject = !rejectUsed && random.chance(0.15)
            rejectUsed = rejectUsed || reject
            if reject {
                fields.append("reject")
            } else if type == "hostssl" && random.chance(0.4) {
                fields.append(random.pick(["cert", "password clientcert=verify-ca", "password clientcert=verify-full"]))
            } else {
                fields.append("password")
            }
            lines.append(fields.joined(separator: random.pick([" ", "\t", "   "])))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
