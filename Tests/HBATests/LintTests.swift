@testable import HBA
import Testing

struct LintTests {
    @Test func findingsWithLinesAndFixes() {
        let doc = document("""
            host all all 127.0.0.1/32 trust
            host all all 0.0.0.0/0 trust
            host all all 10.0.0.0/8 password
            hostssl all all 10.0.0.0/8 md5
            host all all 10.1.0.0/16 scram-sha-256
            host all all 10.0.0.0/8 ident
            hostnossl all all 10.0.0.0/8 scram-sha-256
            host all all .corp.example scram-sha-256
            host /app all 10.0.0.0/8 scram-sha-256
            host all all 10.0.0.0/8 ldap ldapserver=l ldapbasedn=dc=x
            """, version: 16)
        let findings = HBALinter.lint(doc)
        func codes(_ line: Int) -> Set<String> { Set(findings.filter { $0.lineNumber == line }.map(\.code)) }
        #expect(codes(2).isSuperset(of: ["trust-over-tcp", "plaintext-remote", "wide-open"]))
        #expect(codes(1) == ["trust-loopback"])
        #expect(codes(3).isSuperset(of: ["cleartext-password", "plaintext-remote"]))
        #expect(codes(4).contains("md5"))
        #expect(codes(5).contains("unreachable"))
        #expect(findings.first { $0.code == "unreachable" }?.message.contains("line 2") == true)
        #expect(codes(6).contains("ident-over-tcp"))
        #expect(codes(7).contains("hostnossl"))
        #expect(codes(8).contains("dns-dependent"))
        #expect(codes(9).contains("unanchored-regex"))
        #expect(codes(10).contains("ldap-cleartext"))
        #expect(findings.allSatisfy { !$0.fix.isEmpty })
    }

    @Test func aCleanFileHasNoWarnings() {
        let doc = document("local all all peer\nhostssl all all 10.0.0.0/8 scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n")
        #expect(HBALinter.lint(doc).filter { $0.severity != .info }.isEmpty)
    }
}

/// The index that spares comparing every pair of rules finds the same
/// first covering line as comparing every pair, on a file that mixes
/// prefixes, non-prefix masks, IPv6, `all`, host names and local lines.
struct UnreachableIndexTests {
    @Test func theIndexFindsWhatComparingEveryPairFinds() {
        var lines: [String] = []
        let types = ["host", "hostssl", "hostnossl", "hostnogssenc", "hostgssenc"]
        for n in 0..<600 {
            let type = types[n % types.count]
            let user = n % 7 == 0 ? "all" : "u\(n % 5)"
            let database = n % 11 == 0 ? "all" : "d\(n % 3)"
            switch n % 9 {
            case 0: lines.append("\(type) \(database) \(user) 10.\(n % 4).0.0/16 scram-sha-256")
            case 1: lines.append("\(type) \(database) \(user) 10.\(n % 4).\(n % 3).0/24 scram-sha-256")
            case 2: lines.append("\(type) \(database) \(user) 10.0.0.0 255.0.255.0 scram-sha-256")
            case 3: lines.append("\(type) \(database) \(user) fd00:\(n % 3)::/\(32 + n % 3 * 16) scram-sha-256")
            case 4: lines.append("\(type) \(database) \(user) all scram-sha-256")
            case 5: lines.append("\(type) \(database) \(user) .corp\(n % 2).example scram-sha-256")
            case 6: lines.append("local \(database) \(user) peer")
            case 7: lines.append("\(type) \(database) \(user) 10.\(n % 4).1.\(n % 5)/32 scram-sha-256")
            default: lines.append("\(type) \(database) \(user) 0.0.0.0/0 scram-sha-256")
            }
        }
        let doc = document(lines.joined(separator: "\n"), version: 16)
        let rules = doc.rules
        var expected: [Int: Int] = [:]
        for (index, rule) in rules.enumerated() {
            if let earlier = rules[..<index].first(where: { Shadowing.covers($0, rule) }) { expected[rule.lineNumber] = earlier.lineNumber }
        }
        var found: [Int: Int] = [:]
        for finding in HBALinter.lint(doc) where finding.code == "unreachable" {
            // "this line can never match: line N matches every connection it would"
            let after = finding.message.range(of: "match: line ").map { finding.message[$0.upperBound...] }
            found[finding.lineNumber] = after.flatMap { Int($0.prefix { $0.isNumber }) }
        }
        #expect(expected.count > 100, "the file must have many unreachable lines to compare: \(expected.count)")
        #expect(found == expected)
    }
}
