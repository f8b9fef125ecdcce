import HBA
import Testing

/// check_hba semantics (docs/POSTGRES.md, "Matching"), decided on values.
struct MatcherTests {
    @Test func firstMatchingLineDecides() {
        let doc = document("""
            local all all peer
            host all all 127.0.0.1/32 scram-sha-256
            hostssl all all 10.0.0.0/8 scram-sha-256
            host all all 10.0.0.0/8 reject
            """)
        let matcher = Matcher(document: doc)
        #expect(matcher.match(tcp("10.1.1.1", ssl: true)).lineNumber == 3)
        let plain = matcher.match(tcp("10.1.1.1"))
        #expect(plain.outcome == .rejected && plain.lineNumber == 4)
        #expect(plain.trace.map(\.lineNumber) == [1, 2, 3])
        #expect(plain.trace[2].text == "hostssl needs SSL, this connection has none")
        let nowhere = matcher.match(tcp("192.168.0.1"))
        #expect(nowhere.outcome == .rejected && nowhere.lineNumber == nil)
        #expect(matcher.match(ConnectionAttempt(transport: .unixSocket, database: "x", user: "y")).lineNumber == 1)
    }

    @Test func untracedMatchingDecidesExactlyAsTracedMatching() {
        let doc = document("""
            local all all peer
            hostssl app +ops 10.0.0.0/8 scram-sha-256
            hostnossl all legacy 10.1.0.0 255.255.0.0 reject
            host replication repl 10.2.0.0/16 scram-sha-256
            host all all samenet md5
            host sameuser all fd00::/8 scram-sha-256
            host all all 0.0.0.0/0 scram-sha-256
            """)
        let matcher = Matcher(document: doc, environment: .with(memberships: ["ops": ["alice"]], knownRoles: ["alice", "bob", "ops", "repl"]))
        var compared = 0
        for address in ["10.1.2.3", "10.2.9.9", "192.168.1.1", "fd00::5", "127.0.0.1"] {
            for ssl in [false, true] {
                for (user, database, replication) in [("alice", "app", ConnectionAttempt.Replication.none), ("bob", "bob", .none),
                                                      ("legacy", "app", .none), ("repl", "replication", .physical)] {
                    let attempt = tcp(address, ssl: ssl, user: user, database: database, replication: replication)
                    let traced = matcher.match(attempt)
                    let untraced = matcher.match(attempt, tracing: false)
                    #expect(untraced.decidingRule == traced.decidingRule && untraced.unknowns == traced.unknowns, "\(attempt)")
                    #expect(untraced.trace.isEmpty)
                    compared += 1
                }
            }
        }
        #expect(compared == 40)
    }

    /// The index files narrow networks by their first bytes: the lines it
    /// leaves out for an attempt must be lines that miss it.
    @Test func theNetworkIndexLeavesOutOnlyLinesThatMiss() {
        let doc = document("""
            local all all peer
            host all alice 10.1.2.3/32 trust
            hostssl all all 10.1.2.0/24 scram-sha-256
            host all all 10.1.0.0/16 reject
            hostnossl all all 10.2.0.0 255.255.0.0 reject
            host all all 10.0.0.0/8 md5
            host all all fd00:1:2::/48 scram-sha-256
            host all all fd00::/8 md5
            host all all samehost trust
            hostssl all all 172.16.5.0/24 cert
            host all all 0.0.0.0/0 scram-sha-256
            """)
        let matcher = Matcher(document: doc, environment: .with(memberships: [:], knownRoles: ["alice", "bob"]))
        var decided = Set<Int?>()
        for address in ["10.1.2.3", "10.1.2.4", "10.1.9.9", "10.2.0.1", "10.3.0.1", "172.16.5.5", "172.16.6.5", "8.8.8.8",
                        "fd00:1:2::9", "fd00:1:3::9", "fe80::1", "127.0.0.1"] {
            for ssl in [false, true] {
                for user in ["alice", "bob"] {
                    let attempt = tcp(address, ssl: ssl, user: user)
                    let traced = matcher.match(attempt)
                    let untraced = matcher.match(attempt, tracing: false)
                    #expect(untraced.decidingRule == traced.decidingRule && untraced.unknowns == traced.unknowns, "\(attempt)")
                    decided.insert(traced.lineNumber)
                }
            }
        }
        #expect(matcher.match(ConnectionAttempt(transport: .unixSocket, database: "x", user: "y"), tracing: false).lineNumber == 1)
        // The attempts reach most lines, so the comparison covers filed and unfiled ones.
        #expect(decided.isSuperset(of: [2, 3, 4, 5, 6, 7, 8, 10, 11]), "lines decided: \(decided)")
    }

    @Test func physicalReplicationMatchesOnlyTheReplicationKeyword() {
        let doc = document("""
            host all repl 10.0.0.0/8 scram-sha-256
            host "replication" repl 10.0.0.0/8 scram-sha-256
            host replication repl 10.0.0.0/8 scram-sha-256
            """)
        let matcher = Matcher(document: doc)
        #expect(matcher.match(tcp("10.0.0.9", user: "repl", replication: .physical)).lineNumber == 3)
        // A logical walsender matches like a normal connection, and `replication` does not match it.
        #expect(matcher.match(tcp("10.0.0.9", user: "repl", database: "replication", replication: .logical)).lineNumber == 1)
        #expect(Matcher(document: document("host replication all all md5")).match(tcp("10.0.0.9")).lineNumber == nil)
    }

    @Test func membershipAndSamehostAreInputsOrOpenQuestions() {
        let doc = document("""
            host all +ops 10.0.0.0/8 scram-sha-256
            host samerole all samenet scram-sha-256
            host all all all reject
            """)
        let offline = Matcher(document: doc).match(tcp("10.2.2.2", user: "alice", database: "payroll"))
        #expect(offline.outcome == .depends)
        #expect(offline.unknowns.map(\.lineNumber) == [1, 2])
        #expect(offline.lineNumber == 3)
        let known = MatchEnvironment.with(memberships: ["payroll": ["alice"]], knownRoles: ["alice", "payroll", "ops"],
                                          interfaces: [NetworkInterface(address: IPAddress(numeric: "10.2.0.1")!, netmask: IPAddress.mask(bits: 16, family: .v4)!)])
        let decided = Matcher(document: doc, environment: known).match(tcp("10.2.2.2", user: "alice", database: "payroll"))
        #expect(decided.outcome == .accepted && decided.lineNumber == 2)
    }

    @Test func sslAndGSSAgainstTheTypes() {
        let doc = document("hostnossl all all all md5\nhostgssenc all all all gss\nhostnogssenc all all all md5\n")
        let matcher = Matcher(document: doc)
        #expect(matcher.match(tcp("10.0.0.1")).lineNumber == 1)
        #expect(matcher.match(tcp("10.0.0.1", ssl: true)).lineNumber == 3)
        let gss = ConnectionAttempt(transport: .tcp(IPAddress(numeric: "10.0.0.1")!), gssEncrypted: true, database: "d", user: "u")
        // A GSS-encrypted session is "not SSL", so hostnossl takes it first.
        #expect(matcher.match(gss).lineNumber == 1)
    }

    @Test func hostnamesNeedDNS() {
        let doc = document("host all all .example.com md5\n")
        #expect(Matcher(document: doc).match(tcp("10.0.0.1")).outcome == .depends)
        let env = MatchEnvironment.with(memberships: [:], hostnames: [IPAddress(numeric: "10.0.0.1")!: .name("db1.EXAMPLE.com", forwardConfirms: true)])
        #expect(Matcher(document: doc, environment: env).match(tcp("10.0.0.1")).lineNumber == 1)
    }

    @Test func regexesFrom16AndSubsetEvaluation() {
        let doc = document("host /^app_[0-9]+$ all all md5\n", version: 16)
        #expect(Matcher(document: doc).match(tcp("10.0.0.1", database: "app_12")).lineNumber == 1)
        #expect(Matcher(document: doc).match(tcp("10.0.0.1", database: "xapp_12")).lineNumber == nil)
        // A lookahead is outside the evaluable subset: reported, not guessed.
        let tricky = document("host /^(?=a)b all all md5\n", version: 16)
        #expect(Matcher(document: tricky).match(tcp("10.0.0.1", database: "ab")).outcome == .depends)
        // Before 16 the same token is a literal name.
        #expect(Matcher(document: document("host /^app$ all all md5\n", version: 15)).match(tcp("10.0.0.1", database: "/^app$")).lineNumber == 1)
    }

    @Test func everyRoleIsAMemberOfItself() {
        let env = MatchEnvironment.with(memberships: [:], knownRoles: ["postgres", "u1"])
        let doc = document("host samerole all all md5\nhost all +u1 all md5\n")
        #expect(Matcher(document: doc, environment: env).match(tcp("10.0.0.1", user: "postgres", database: "postgres")).lineNumber == 1)
        #expect(Matcher(document: doc, environment: env).match(tcp("10.0.0.1", user: "u1", database: "x")).lineNumber == 2)
        #expect(Matcher(document: doc, environment: env).match(tcp("10.0.0.1", user: "ghost", database: "ghost")).lineNumber == nil)
    }

    @Test func superusersAreNotImplicitMembers() {
        // +group needs explicit membership, which the environment encodes (is_member_of_role_nosuper).
        let env = MatchEnvironment.with(memberships: ["ops": []], knownRoles: ["postgres", "ops"])
        #expect(Matcher(document: document("host all +ops all md5\n"), environment: env).match(tcp("10.0.0.1", user: "postgres")).lineNumber == nil)
    }
}
