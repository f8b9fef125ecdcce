import ClusterFacts
@testable import Enforcement
import HBA
import PlanFixtures
import Testing

/// The guard and the impact preview where the matched line is not the whole
/// story (issue 21): client certificates, the TLS floor, GSS encryption and
/// poolers, on values.
struct BlindSpotTests {
    static let certificateFirst = """
        local   all  all                   trust
        hostssl all  app  10.0.0.10/32     cert
        host    all  app  10.0.0.10/32     scram-sha-256

        """

    @Test func aCertificateLineMakesAuthenticationPartOfTheOutcome() {
        let document = HBADocument(path: "/h", text: Self.certificateFirst, context: ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true))
        let matcher = Matcher(document: document)
        let address = IPAddress(numeric: "10.0.0.10")!
        let withoutCertificate = matcher.match(ConnectionAttempt(transport: .tcp(address), ssl: true, database: "app", user: "app"))
        #expect(withoutCertificate.outcome == .certificateRequired && withoutCertificate.lineNumber == 2)
        let withCertificate = matcher.match(ConnectionAttempt(transport: .tcp(address), ssl: true, database: "app", user: "app", clientCertificate: true))
        #expect(withCertificate.outcome == .accepted && withCertificate.lineNumber == 2)
        let plain = matcher.match(ConnectionAttempt(transport: .tcp(address), ssl: false, database: "app", user: "app", clientCertificate: true))
        #expect(plain.outcome == .accepted && plain.lineNumber == 3 && !plain.attempt.clientCertificate, "no certificate without TLS")
        let clientcert = HBADocument(path: "/h", text: "hostssl all all 10.0.0.0/8 scram-sha-256 clientcert=verify-ca\n",
                                     context: ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true))
        #expect(Matcher(document: clientcert).match(ConnectionAttempt(transport: .tcp(address), ssl: true, database: "app", user: "app")).outcome
                == .certificateRequired)
    }

    @Test func aPreferClientWithoutACertificateIsSeenFallingBackAndBlocks() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        builder.sessions = [SnapshotBuilder.client(601, address: "10.0.0.10", ssl: false)]
        let options = PlanOptions(mustKeep: [try ProtectedIdentitySpec.parse("user=app addr=10.0.0.10 dbname=app sslcert=no")])
        let plan = try Planner.plan(builder.input(hba: Self.certificateFirst, options: options))
        let client = try #require(plan.impact.refusedClients.first)
        #expect(client.cause == .certificateFallback)
        #expect(client.reason.contains("reaches line 2 (cert)") && client.reason.contains("line 3 admitted the plain-text retry"), "\(client.reason)")
        #expect(client.fix.contains("ssl_ca_file"))
        let rewriteStep = try #require(plan.steps.first { $0.name == .hbaRewrite })
        #expect(rewriteStep.details.contains { $0.hasPrefix("/data/pg_hba.conf:3: takes away the plain-text fallback of app@app from 10.0.0.10") }, "\(rewriteStep.details)")
        #expect(plan.blocked)
        let refusal = try #require(plan.lockout.refusals.first)
        #expect(refusal.reason.contains("fails authentication (line 2 wants a client certificate"), "\(refusal.reason)")
        #expect(refusal.waysOut.contains { $0.contains("line 2 admits it with SSL only with a client certificate") })

        let certified = PlanOptions(mustKeep: [try ProtectedIdentitySpec.parse("user=app addr=10.0.0.10 dbname=app sslcert=yes")])
        #expect(!(try Planner.plan(builder.input(hba: Self.certificateFirst, options: certified))).lockout.isBlocked)
        let rewrite = try #require(plan.files.first?.diff)
        #expect(rewrite.contains("+hostssl all  app  10.0.0.10/32     scram-sha-256"))
    }

    @Test func sessionsBelowARaisedTLSFloorAreListedAndBlockWhenTheyMustKeepAccess() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        var old = SnapshotBuilder.client(602, user: "legacy", address: "10.0.0.20", ssl: true, application: "old-driver")
        old.tlsVersion = "TLSv1.2"
        var current = SnapshotBuilder.client(603, user: "app", address: "10.0.0.21", ssl: true)
        current.tlsVersion = "TLSv1.3"
        builder.sessions = [old, current]
        let hba = "local all all trust\nhost all all 10.0.0.0/8 scram-sha-256\n"
        let raised = try Planner.plan(builder.input(hba: hba, options: PlanOptions(minimumTLS: "TLSv1.3")))
        #expect(raised.impact.refusedClients.map(\.user) == ["legacy"])
        #expect(raised.impact.refusedClients.first?.cause == .tlsBelowFloor)
        #expect(raised.impact.refusedClients.first?.reason.contains("TLSv1.2") == true)
        #expect(raised.impact.terminate.map(\.pid) == [602], "ended with the plain ones: the confirmation proves no session below the floor")
        #expect(!raised.blocked)

        let kept = PlanOptions(minimumTLS: "TLSv1.3", mustKeep: [try ProtectedIdentitySpec.parse("user=legacy addr=10.0.0.20 dbname=app")])
        let blocked = try Planner.plan(builder.input(hba: hba, options: kept))
        #expect(blocked.blocked)
        let refusal = try #require(blocked.lockout.refusals.first)
        #expect(refusal.reason.contains("below the new floor TLSv1.3"), "\(refusal.reason)")
        #expect(refusal.waysOut.contains { $0.contains("--min-tls TLSv1.2") })
        let unchanged = try Planner.plan(builder.input(hba: hba, options: PlanOptions(mustKeep: kept.mustKeep)))
        #expect(!unchanged.blocked && unchanged.impact.refusedClients.isEmpty, "no floor raised, nobody below it")
    }

    @Test func gssEncryptedClientsKeepAHostgssencTwin() throws {
        let file = "local all all trust\nhost    all  all  10.0.0.0/8   gss\n"
        let context = ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true)
        let document = HBADocument(path: "/h", text: file, context: context)
        let result = HostsslRewriter.rewrite(document, policy: RewritePolicy(keepGSSEncrypted: true))
        #expect(result.text(of: "/h") == "local all all trust\nhostssl all  all  10.0.0.0/8   gss\nhostgssenc all  all  10.0.0.0/8   gss\n")
        #expect(result.changes.contains { $0.kind == .appended && $0.reason.contains("hostgssenc twin added after line 2") })
        var noGSS = context
        noGSS.build.gssapi = false
        let without = HostsslRewriter.rewrite(HBADocument(path: "/h", text: file, context: noGSS), policy: RewritePolicy(keepGSSEncrypted: true))
        #expect(without.text(of: "/h")?.contains("hostgssenc") == false, "a server without GSSAPI would refuse to load the twin")

        let candidate = HBADocument(path: "/h", text: result.text(of: "/h")!, context: context)
        let plainCandidate = HBADocument(path: "/h", text: HostsslRewriter.rewrite(document, policy: RewritePolicy()).text(of: "/h")!, context: context)
        var kerberos = ProtectedIdentity(kind: .mustKeep, label: "kerberos", address: IPAddress(numeric: "10.1.1.1"), user: "alice",
                                         database: "postgres", sslMode: .disable, sslModeSource: "test")
        kerberos.gssEncMode = .require
        let kept = LockoutGuard(current: document, candidate: candidate, environment: .offline, policy: RewritePolicy()).check(kerberos)
        #expect(kept.keepsAccess, "\(kept)")
        let lost = LockoutGuard(current: document, candidate: plainCandidate, environment: .offline, policy: RewritePolicy()).check(kerberos)
        #expect(!lost.keepsAccess, "gssencmode=require is never admitted by hostssl: \(lost)")
        #expect(AttemptEncryption.sequence(sslMode: .prefer, gssEncMode: .prefer, unixSocket: false, serverOffersGSS: true) == [.gss, .ssl, .plain])
        #expect(AttemptEncryption.sequence(sslMode: .require, gssEncMode: .disable, unixSocket: false, serverOffersGSS: true) == [.ssl])
    }

    /// The twin follows the record as the server reads it: after a CR LF
    /// continuation (14+), after one physical line on 13 (no continuation),
    /// and never for hostnogssenc, which kept GSS clients out.
    @Test func twinsFollowTheRecordAsTheServerReadsIt() {
        let policy = RewritePolicy(keepGSSEncrypted: true)
        let continued = "host all all \\\r\n  10.0.0.0/8 md5\r\nlocal all all trust\r\n"
        let on16 = HostsslRewriter.rewrite(HBADocument(path: "/h", text: continued, context: ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true)), policy: policy)
        #expect(on16.text(of: "/h") == "hostssl all all \\\r\n  10.0.0.0/8 md5\r\nhostgssenc all all \\\r\n  10.0.0.0/8 md5\r\nlocal all all trust\r\n")
        let commentWithBackslash = "host all all 10.0.0.0/8 md5 # old \\\nhost all bob 10.0.0.0/8 md5\n"
        let on13 = HostsslRewriter.rewrite(HBADocument(path: "/h", text: commentWithBackslash, context: ParseContext(syntax: ServerSyntax(major: 13), sslEnabled: true)), policy: policy)
        #expect(on13.text(of: "/h") == "hostssl all all 10.0.0.0/8 md5 # old \\\nhostgssenc all all 10.0.0.0/8 md5 # old \\\nhostssl all bob 10.0.0.0/8 md5\nhostgssenc all bob 10.0.0.0/8 md5\n")
        let noGSS = HostsslRewriter.rewrite(HBADocument(path: "/h", text: "hostnogssenc all all 10.0.0.0/8 md5\n", context: ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true)), policy: policy)
        #expect(noGSS.text(of: "/h")?.hasPrefix("hostssl") == true && noGSS.text(of: "/h")?.contains("hostgssenc") == false, "\(noGSS.text(of: "/h") ?? "")")
        let atEOF = HostsslRewriter.rewrite(HBADocument(path: "/h", text: "host all all 10.0.0.0/8 md5", context: ParseContext(syntax: ServerSyntax(major: 16), sslEnabled: true)), policy: policy)
        #expect(atEOF.text(of: "/h") == "hostssl all all 10.0.0.0/8 md5\nhostgssenc all all 10.0.0.0/8 md5\n")
    }

    @Test func aStandbyBelowTheFloorIsNotCutButToldWhatItNeeds() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        var standby = SnapshotBuilder.client(605, user: "replicator", database: nil, address: "10.0.0.50", ssl: true, application: "standby-1", walsender: true)
        standby.tlsVersion = "TLSv1.2"
        builder.sessions = [standby]
        let plan = try Planner.plan(builder.input(hba: "local all all trust\nhost replication replicator 10.0.0.0/8 scram-sha-256\n",
                                                  options: PlanOptions(minimumTLS: "TLSv1.3")))
        #expect(plan.impact.terminate.isEmpty)
        #expect(plan.impact.walsenders.first?.needs.contains("below the new floor TLSv1.3") == true, "\(plan.impact.walsenders)")
        #expect(plan.impact.walsenders.first?.needs.contains("--min-tls TLSv1.2") == true)
    }

    @Test func thePlannerAddsTwinsWhenGSSIsInUse() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        var kerberos = SnapshotBuilder.client(604, user: "alice", address: "10.0.0.30", ssl: false)
        kerberos.gssEncrypted = true
        builder.sessions = [kerberos]
        let plan = try Planner.plan(builder.input(hba: "local all all trust\nhost all all 10.0.0.0/8 scram-sha-256\n"))
        #expect(plan.files.first?.diff?.contains("+hostgssenc all all 10.0.0.0/8 scram-sha-256") == true, "\(plan.files.first?.diff ?? "")")
        #expect(plan.impact.terminate.isEmpty, "a GSS-encrypted session is encrypted: never terminated")
    }

    @Test func refusedBackendsFromOneAddressAreGroupedAsAPooler() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        builder.sessions = [SnapshotBuilder.client(701, user: "u1", address: "10.0.0.40", ssl: false, application: ""),
                            SnapshotBuilder.client(702, user: "u2", address: "10.0.0.40", ssl: false, application: ""),
                            SnapshotBuilder.client(703, user: "u1", address: "10.0.0.41", ssl: false, application: "psql"),
                            SnapshotBuilder.client(704, user: "u3", address: "10.0.0.42", ssl: false, application: "pgbouncer")]
        let plan = try Planner.plan(builder.input(hba: "local all all trust\nhost all all 10.0.0.0/8 scram-sha-256\n"))
        #expect(plan.impact.pooledGroups.map(\.address) == ["10.0.0.40", "10.0.0.42"])
        #expect(plan.impact.pooledGroups[0].users == ["u1", "u2"] && plan.impact.pooledGroups[0].needs.contains("server_tls_sslmode"))
        #expect(plan.impact.pooledGroups[1].pooler == "pgbouncer")
    }

    @Test func mustKeepLearnsCertificatesAndGSS() throws {
        let spec = try ProtectedIdentitySpec.parse("user=a addr=10.0.0.1 sslcert=yes gssencmode=prefer")
        #expect(spec.clientCertificate && spec.gssEncMode == .prefer)
        for (text, fragment) in [("user=a addr=10.0.0.1 sslcert=maybe", "sslcert=maybe"), ("user=a addr=10.0.0.1 gssencmode=always", "gssencmode=always"),
                                 ("user=a addr=local sslcert=yes", "unix sockets never use SSL")] {
            #expect { try ProtectedIdentitySpec.parse(text) } throws: { error in
                (error as? PlanInputError).map { $0.operatorMessage.contains(fragment) } ?? false
            }
        }
    }
}
