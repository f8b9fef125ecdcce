import HBA
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
