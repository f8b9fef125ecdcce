/// A deterministic pg_hba.conf of `count` rules shaped like a large estate:
/// commented blocks per team, host rules over many subnets, comma lists,
/// IPv6, a few hostssl and reject lines; the last rule is the one a typical
/// attempt reaches, so the matcher scans the whole file.
enum HBAFileOfRules {
    static func text(rules count: Int) -> String {
        var lines = ["# TYPE  DATABASE        USER            ADDRESS                 METHOD",
                     "local   all             postgres                                trust   # the benchmark's own sessions"]
        var generated = 1
        var team = 0
        while generated < count - 1 {
            if generated % 50 == 1 {
                team += 1
                lines.append("")
                lines.append("# team \(team): application servers")
            }
            let n = generated
            let octet2 = (n / 250) % 250, octet3 = n % 250
            switch n % 10 {
            case 0: lines.append("hostssl app\(team)          svc\(n)          10.\(octet2).\(octet3).0/24           scram-sha-256")
            case 1: lines.append("host    app\(team),reports  svc\(n),audit    10.\(octet2).\(octet3).0/24           scram-sha-256  # batch")
            case 2: lines.append("host    all             +team\(team)       fd00:\(octet2):\(octet3)::/64       scram-sha-256")
            case 3: lines.append("host    replication     repl\(n)          10.\(octet2).\(octet3).7/32           scram-sha-256")
            case 4: lines.append("hostnossl all           legacy\(n)        10.\(octet2).\(octet3).0 255.255.255.0 reject")
            default: lines.append("host    app\(team)          svc\(n)          10.\(octet2).\(octet3).0/24           scram-sha-256")
            }
            generated += 1
        }
        lines.append("host    all             all             0.0.0.0/0               scram-sha-256")
        return lines.joined(separator: "\n") + "\n"
    }
}
