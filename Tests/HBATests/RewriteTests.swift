import HBA
import Testing

struct RewriteTests {
    @Test func convertsRemoteHostRulesKeepingLayoutAndComments() {
        let text = """
            # TYPE  DATABASE        USER            ADDRESS                 METHOD
            local   all             all                                     peer
            host    all             all             127.0.0.1/32            scram-sha-256
            host    all             all             10.0.0.0/8              scram-sha-256   # office
            host\tapp\tapp\t192.168.0.0/16\tmd5

            """
        let result = HostsslRewriter.rewrite(document(text), policy: RewritePolicy())
        let new = result.text(of: "/etc/pg/pg_hba.conf")!
        #expect(new == """
            # TYPE  DATABASE        USER            ADDRESS                 METHOD
            local   all             all                                     peer
            host    all             all             127.0.0.1/32            scram-sha-256
            hostssl all             all             10.0.0.0/8              scram-sha-256   # office
            hostssl\tapp\tapp\t192.168.0.0/16\tmd5

            """)
        #expect(result.changes.map(\.kind) == [.kept, .converted, .converted])
    }

    /// Found by the bad-input catalogue: a file that includes itself reaches
    /// its lines once per nesting level, and the same edit came back each time.
    @Test func aFileThatIncludesItselfIsRewrittenOnce() {
        let text = "host all all 10.0.0.0/8 md5\ninclude pg_hba.conf\n"
        let result = HostsslRewriter.rewrite(document(text, files: ["/etc/pg/pg_hba.conf": text]), policy: RewritePolicy())
        #expect(result.text(of: "/etc/pg/pg_hba.conf") == "hostssl all all 10.0.0.0/8 md5\ninclude pg_hba.conf\n")
    }

    @Test func unchangedFilesPrintBackIdentical() {
        let text = "local all all peer\r\nhostssl all all all scram-sha-256"
        let result = HostsslRewriter.rewrite(document(text), policy: RewritePolicy())
        #expect(!result.hasChanges)
        #expect(result.rewritten["/etc/pg/pg_hba.conf"] == Array(text.utf8))
    }

    @Test func policyDetails() {
        let text = """
            host all all 0.0.0.0/0 scram-sha-256
            host all all ::/0 scram-sha-256
            host all all samehost scram-sha-256
            host all all localhost scram-sha-256
            host all all all reject
            hostnossl all legacy 10.9.9.9/32 md5
            hostgssenc all all all gss
            hostnogssenc all all 10.0.0.0/8 md5
            host replication repl 10.0.0.0/8 md5
            host all all 127.0.0.0/8 md5
            host all all 128.0.0.0/2 md5
            """
        let changes = HostsslRewriter.rewrite(document(text), policy: RewritePolicy()).changes
        #expect(changes.map(\.kind) == [.converted, .converted, .kept, .kept, .kept, .reported, .reported, .converted, .converted, .kept, .converted])
        #expect(changes[0].removes?.contains("loopback") == true)
        #expect(changes[10].removes == nil)
        let all = HostsslRewriter.rewrite(document(text), policy: RewritePolicy(includeLoopback: true)).changes
        #expect(all.filter { $0.kind == .converted }.count == 8)
    }

    @Test func rejectLinesAreAppendedAndTheResultParses() {
        let result = HostsslRewriter.rewrite(document("host all all 10.0.0.0/8 md5"), policy: RewritePolicy(addRejectLines: true))
        let new = result.text(of: "/etc/pg/pg_hba.conf")!
        #expect(new.hasSuffix("hostssl all all 10.0.0.0/8 md5\n# Added by pg-ssl-wizard: refuse plain-text TCP with an explicit reason.\nhostnossl all,replication all 0.0.0.0/0 reject\nhostnossl all,replication all ::/0 reject\n"))
        let reparsed = document(new)
        #expect(reparsed.isLoadable)
        #expect(reparsed.rules.map(\.connectionType) == [.hostssl, .hostnossl, .hostnossl])
        let physical = Matcher(document: reparsed).match(tcp("10.0.0.1", user: "repl", replication: .physical))
        #expect(physical.outcome == .rejected && physical.lineNumber == 3)
    }

    @Test func continuationLinesAreRewrittenInPlace() {
        let text = "host all all \\\n  10.0.0.0/8 md5\n"
        let result = HostsslRewriter.rewrite(document(text, version: 16), policy: RewritePolicy())
        #expect(result.text(of: "/etc/pg/pg_hba.conf") == "hostssl all all \\\n  10.0.0.0/8 md5\n")
    }

    @Test func diffShowsOnlyTheChangedLines() {
        let result = HostsslRewriter.rewrite(document("local all all peer\nhost all all 10.0.0.0/8 md5\n"), policy: RewritePolicy())
        #expect(result.diff.contains("-host all all 10.0.0.0/8 md5\n+hostssl all all 10.0.0.0/8 md5"))
        #expect(result.diff.contains(" local all all peer"))
    }
}
