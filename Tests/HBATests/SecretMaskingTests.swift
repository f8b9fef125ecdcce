import HBA
import Testing

/// The LDAP bind password and RADIUS secrets never reach the hba commands'
/// output, while the rewritten bytes keep them.
struct SecretMaskingTests {
    static let file = """
        host all all 10.0.0.0/16 ldap ldapserver=ldap.example ldapbasedn="dc=example" ldapbinddn="cn=svc" ldapbindpasswd="s3cret pw" ldapsearchattribute=uid   # bind
        host all all 10.1.0.0/16 radius radiusservers=10.9.9.9 radiussecrets="topsecret,two secret"
        host all all 10.2.0.0/16 ldap ldapserver=x ldapbasedn=dc=x ldapbindpasswd=nope

        """

    static func document() -> HBADocument {
        HBADocument(path: "/etc/pg_hba.conf", text: file, context: ParseContext(syntax: ServerSyntax(major: 15)))
    }

    static func expectNoSecret(_ output: String, _ what: String) {
        for secret in ["s3cret", "topsecret", "two secret", "nope"] {
            #expect(!output.contains(secret), "\(what) shows \(secret):\n\(output)")
        }
    }

    @Test func explainMasksOptions() {
        let rows = FileRulesView.rows(of: Self.document())
        #expect(rows[0].options?.contains("ldapbindpasswd=s3cret pw") == true, "the view itself keeps what the server shows")
        Self.expectNoSecret(HBARender.table(rows), "explain")
        Self.expectNoSecret(HBARender.json(rows), "explain --json")
        #expect(HBARender.table(rows).contains("ldapbindpasswd=********"))
    }

    @Test func rewriteDiffAndPreviewMaskValuesButTheBytesKeepThem() {
        let document = Self.document()
        let result = HostsslRewriter.rewrite(document, policy: RewritePolicy())
        #expect(result.text(of: document.path)?.contains("ldapbindpasswd=\"s3cret pw\" ldapsearchattribute=uid   # bind") == true)
        let report = RewriteReport(result, loadProblem: nil)
        Self.expectNoSecret(report.text, "rewrite")
        Self.expectNoSecret(HBARender.json(report), "rewrite --json")
        #expect(report.text.contains("+hostssl all all 10.0.0.0/16 ldap ldapserver=ldap.example ldapbasedn=\"dc=example\" ldapbinddn=\"cn=svc\" ldapbindpasswd=******** ldapsearchattribute=uid   # bind"))
        #expect(report.text.contains("radiussecrets=********\n"))
    }

    @Test func matchTraceMasksLines() {
        let attempt = ConnectionAttempt(transport: .tcp(IPAddress(numeric: "10.2.0.1")!), database: "db", user: "alice")
        let report = MatchReport(Matcher(document: Self.document()).match(attempt))
        #expect(report.line_number == 3)
        Self.expectNoSecret(report.text, "match")
        Self.expectNoSecret(HBARender.json(report), "match --json")
    }

    @Test func lintMasksOptionValues() {
        let document = HBADocument(path: "/p", text: "host all all all ldap ldapserver=x ldapbindpasswd=nope clientcert=maybe\n",
                                   context: ParseContext(syntax: ServerSyntax(major: 15)))
        let findings = HBALinter.lint(document)
        Self.expectNoSecret(findings.map { $0.message + $0.fix }.joined(separator: "\n"), "lint")
    }
}
