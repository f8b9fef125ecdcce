@testable import Enforcement
import HBA
import Testing

struct LockoutGuardTests {
    @Test(arguments: [
        (ClientSSLMode.disable, [false]), (.allow, [false, true]), (.prefer, [true, false]),
        (.require, [true]), (.verifyCA, [true]), (.verifyFull, [true]),
    ])
    func libpqAttemptsPerSSLMode(mode: ClientSSLMode, attempts: [Bool]) {
        #expect(mode.attempts(serverOffersTLS: true, unixSocket: false) == attempts)
        #expect(mode.attempts(serverOffersTLS: true, unixSocket: true) == [false])
        #expect(mode.attempts(serverOffersTLS: false, unixSocket: false) == (mode.negotiatesTLSWhenOffered && mode != .prefer ? [] : [false]))
    }

    @Test func mustKeepSpecsParseOrSayWhatIsWrong() throws {
        let monitor = try ProtectedIdentitySpec.parse("user=monitor addr=10.1.2.3 dbname=metrics sslmode=disable label=nagios")
        #expect(monitor.user == "monitor" && monitor.database == "metrics" && monitor.sslMode == .disable && monitor.label == "nagios")
        #expect(monitor.address == IPAddress(numeric: "10.1.2.3"))
        let standby = try ProtectedIdentitySpec.parse("user=replicator addr=10.0.0.7 replication=physical")
        #expect(standby.replication == .physical && standby.database == "replication" && standby.sslMode == .prefer)
        #expect(try ProtectedIdentitySpec.parse("user=x addr=local").isUnixSocket)
        for (spec, fragment) in [("addr=10.0.0.1", "user= is missing"), ("user=a addr=somewhere", "not an IP address"),
                                 ("user=a addr=10.0.0.1 sslmode=maybe", "sslmode=maybe"), ("user=a addr=10.0.0.1 colour=red", "unknown key"),
                                 ("user=a addr=10.0.0.1 replication=none", "physical or logical"), ("user", "not key=value")] {
            #expect {
                try ProtectedIdentitySpec.parse(spec)
            } throws: { error in
                (error as? PlanInputError).map { $0.operatorMessage.contains(fragment) && $0.operatorMessage.contains("user=NAME") } ?? false
            }
        }
    }

    static func guardFor(_ current: String, _ candidate: String, policy: RewritePolicy = RewritePolicy()) -> LockoutGuard {
        let context = ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true)
        return LockoutGuard(current: HBADocument(path: "/h", text: current, context: context),
                            candidate: HBADocument(path: "/h", text: candidate, context: context),
                            environment: .with(memberships: ["ops": ["alice"]], knownRoles: ["alice", "bob", "ops", "replicator"]),
                            policy: policy)
    }

    static func tcp(_ kind: ProtectedIdentity.Kind = .wizardConnection, user: String = "alice", address: String = "10.0.0.5",
                    mode: ClientSSLMode, replication: ConnectionAttempt.Replication = .none) -> ProtectedIdentity {
        ProtectedIdentity(kind: kind, label: kind.rawValue, address: IPAddress(numeric: address), user: user,
                          database: replication == .physical ? "replication" : "postgres", replication: replication,
                          sslMode: mode, sslModeSource: "test")
    }

    @Test func preferFallsBackAndMovesToSSLWhileDisableIsBlockedWithWaysOut() throws {
        let lockGuard = Self.guardFor("local all all trust\nhost all all 10.0.0.0/8 trust\n", "local all all trust\nhostssl all all 10.0.0.0/8 trust\n")
        let prefer = lockGuard.verdict(for: [Self.tcp(mode: .prefer)], wizardPlainToday: true)
        #expect(!prefer.isBlocked && prefer.wizardMovesToSSL)
        #expect(prefer.checks[0].afterRewrite == .admitted(ssl: true, line: 2))

        let disable = lockGuard.verdict(for: [Self.tcp(mode: .disable)], wizardPlainToday: true)
        #expect(disable.isBlocked && !disable.wizardMovesToSSL)
        let refusal = try #require(disable.refusals.first)
        #expect(refusal.reason.contains("after the hostssl rewrite") && refusal.reason.contains("without SSL is refused"))
        #expect(refusal.waysOut.contains { $0.contains("sslmode=require") })
        #expect(refusal.waysOut.contains { $0.contains("unix socket") })

        let socket = ProtectedIdentity(kind: .wizardConnection, label: "w", address: nil, user: "alice", database: "postgres",
                                       sslMode: .disable, sslModeSource: "test")
        #expect(!lockGuard.verdict(for: [socket], wizardPlainToday: false).isBlocked)
    }

    @Test func hostnosslBetweenPhasesBlocksEvenPrefer() {
        // prefer's TLS attempt hits a hostnossl reject first... the retry without SSL is then refused by the rewrite.
        let lockGuard = Self.guardFor("hostnossl all alice 10.0.0.0/8 trust\n", "hostnossl all alice 10.0.0.0/8 reject\n")
        let verdict = lockGuard.verdict(for: [Self.tcp(mode: .prefer)], wizardPlainToday: true)
        #expect(verdict.isBlocked)
        #expect(verdict.refusals[0].reason.contains("with SSL is refused (no line matches), then the attempt without SSL is refused"))
    }

    @Test func physicalReplicationNeedsTheReplicationKeyword() {
        let lockGuard = Self.guardFor("host all replicator 10.0.0.0/8 trust\nhost replication replicator 10.0.0.0/8 trust\n",
                                      "hostssl all replicator 10.0.0.0/8 trust\n")
        let standby = Self.tcp(.mustKeep, user: "replicator", address: "10.0.0.7", mode: .require, replication: .physical)
        let verdict = lockGuard.verdict(for: [standby], wizardPlainToday: false)
        #expect(verdict.isBlocked, "`all` does not match physical replication")
        #expect(verdict.refusals[0].waysOut == ["add a pg_hba.conf line that admits this identity with SSL before running the wizard"])
    }

    @Test func standbysAreCheckedButNeverBlock() {
        let lockGuard = Self.guardFor("host replication replicator 10.0.0.0/8 trust\n", "hostssl replication replicator 10.0.0.0/8 trust\n")
        let standby = Self.tcp(.standby, user: "replicator", address: "10.0.0.7", mode: .disable, replication: .physical)
        let verdict = lockGuard.verdict(for: [standby], wizardPlainToday: false)
        #expect(!verdict.isBlocked)
        #expect(!verdict.checks[0].keepsAccess)
    }

    @Test func unknownMembershipIsUndecidedAndBlocks() {
        let context = ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true)
        let lockGuard = LockoutGuard(current: HBADocument(path: "/h", text: "host all +ops 10.0.0.0/8 trust\n", context: context),
                                     candidate: HBADocument(path: "/h", text: "hostssl all +ops 10.0.0.0/8 trust\n", context: context),
                                     environment: .offline, policy: RewritePolicy())
        let verdict = lockGuard.verdict(for: [Self.tcp(mode: .require)], wizardPlainToday: false)
        #expect(verdict.isBlocked)
        #expect(verdict.refusals[0].reason.contains("cannot prove"))
        #expect(verdict.refusals[0].waysOut.contains { $0.contains("superuser") })
    }

    @Test func loopbackConversionOffersKeepingLoopback() {
        let lockGuard = Self.guardFor("host all all 127.0.0.1/32 trust\n", "hostssl all all 127.0.0.1/32 trust\n",
                                      policy: RewritePolicy(includeLoopback: true))
        let verdict = lockGuard.verdict(for: [Self.tcp(address: "127.0.0.1", mode: .disable)], wizardPlainToday: true)
        #expect(verdict.refusals.first?.waysOut.contains("keep loopback rules as they are: run without --include-loopback") == true)
    }
}
