import Executor
import Foundation
import Testing
import TestSupport

/// A Kerberos client with GSS encryption (a realm of the test's own, Debian's
/// krb5-kdc): `host` admits it, `hostssl` never does. The plan adds a
/// `hostgssenc` twin of the converted line, the guard keeps a
/// `gssencmode=require` identity, the session is not terminated, and after
/// `apply` the client still gets in GSS-encrypted while plain text is
/// refused (issue 21, item 4).
struct GSSEncryptionTests {
    /// A cluster with SSL on, a realm of its own, and `alice` (with `role`'s
    /// options) admitted by `gss` from the one client namespace: the body gets
    /// the cluster, the client, alice's ticket (environment) and her
    /// connection string from there.
    static func withKerberosAlice(role: String = "LOGIN", serverAlsoKnownAs: [String] = [],
                                  _ body: (TestCluster, NetworkLab.Client, [String: String], String) throws -> Void) async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let office = lab.clients[0]
            _ = try cluster.enableSSL()
            let kdc = try TestKDC.start(in: lab.serverNamespace, reachedAt: office.serverV4, serverOwner: cluster.local.owner,
                                         alsoKnownAs: serverAlsoKnownAs)
            defer { kdc.stop() }
            try cluster.sql("ALTER SYSTEM SET krb_server_keyfile = '\(kdc.keytab)'")
            try cluster.sql("CREATE ROLE alice \(role)")
            try cluster.writeHBA("""
                local   all  all                          trust
                host    all  alice  \(office.addressV4)/32  gss include_realm=0

                """)
            try cluster.reload()
            let ticket = try kdc.ticket(for: "alice", in: office.namespace)
            try body(cluster, office, ticket, "host=\(TestKDC.serverName) hostaddr=\(office.serverV4) port=\(cluster.port) user=alice dbname=postgres")
        }
    }

    @Test func aGSSEncryptedClientKeepsAccessThroughTheRewrite() async throws {
        try await Self.withKerberosAlice { cluster, office, ticket, base in
            let lab = try #require(cluster.lab)
            let kerberosOnly = base + " gssencmode=require application_name=kerberos-only"
            let held = try Probe.hold(1, conninfo: kerberosOnly, in: office.namespace, environment: ticket)
            defer { held.terminate() }
            let encrypted = "SELECT count(*)::int AS n FROM pg_catalog.pg_stat_gssapi g JOIN pg_catalog.pg_stat_activity a USING (pid) WHERE a.application_name = 'kerberos-only' AND g.encrypted"
            #expect(try cluster.sql(encrypted).rows.first?.int32("n") == 1, "GSS-encrypted today, through the host line")

            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let planned = try wizard.run(["plan", cluster.socketConninfo, "--json",
                                          "--must-keep", "user=alice addr=\(office.addressV4) dbname=postgres sslmode=disable gssencmode=require"])
            #expect(planned.exitCode == 10, "the twin keeps the Kerberos client: \(planned.stdout)\n\(planned.stderr)")
            let plan = try GuardPlanJSON.decode(planned)
            let diff = try #require(plan.files.first { $0.path == cluster.hbaFile }?.diff)
            #expect(diff.contains("+hostssl all  alice  \(office.addressV4)/32  gss include_realm=0"), "\(diff)")
            #expect(diff.contains("+hostgssenc all  alice  \(office.addressV4)/32  gss include_realm=0"), "\(diff)")
            #expect(plan.terminate.isEmpty, "a GSS-encrypted session is encrypted: never terminated")
            #expect(plan.notes.contains { $0.contains("hostgssenc twin") })

            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let after = try Probe.attempts([kerberosOnly, base + " gssencmode=prefer sslmode=prefer", base + " gssencmode=disable sslmode=disable"],
                                           in: office.namespace, environment: ticket)
            #expect(after[0].ok && !after[0].ssl, "gssencmode=require still gets in, GSS-encrypted: \(after[0])")
            #expect(after[1].ok, "libpq's defaults get in (GSS first): \(after[1])")
            #expect(!after[2].ok && after[2].error?.contains("no encryption") == true, "plain text is refused: \(after[2])")
            #expect(try cluster.sql(encrypted).rows.first?.int32("n") == 1, "the held GSS-encrypted session is still there")
        }
    }

    /// An operator with a Kerberos ticket, over TCP: libpq would take GSS
    /// encryption in place of SSL even with sslmode=require, so the TLS
    /// probe must ask for no GSS encryption, or it sees no TLS and reports
    /// it refused (critical) on a server that serves it.
    @Test func aKerberosOperatorsStatusSeesTheTLSTheServerServes() async throws {
        try await Self.withKerberosAlice(role: "LOGIN SUPERUSER") { _, office, ticket, operatorTarget in
            let status = try WizardRun(namespace: office.namespace).run(["status", "--json", operatorTarget], environment: ticket)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any],
                                      "\(status.stdout)\n\(status.stderr)")
            let connection = report["connection"] as? [String: Any]
            #expect(connection?["transport"] as? String == "tcp" && connection?["ssl"] as? Bool == false,
                    "the operator's own session is GSS-encrypted, not TLS: \(connection ?? [:])")
            let tls = report["tls"] as? [String: Any]
            #expect(tls?["probe"] as? String == "offered", "the server serves TLS: \(tls ?? [:]) \(report["reasons"] ?? "")")
        }
    }

    /// A Kerberos operator applies over TCP. libpq takes GSS encryption in
    /// place of TLS whatever the sslmode when it can: the dead-man check's
    /// new session is GSS-encrypted (through the twin), which is encrypted,
    /// not a failure; and the confirm step's verify-full test, whose point
    /// is TLS, must not take it, or with a realm that knows the server by
    /// the name tried (this machine's, the first the wizard tries) it
    /// "verifies" a server over GSS with no certificate checked.
    @Test func aKerberosOperatorAppliesOverTCPAndItsVerifyFullTestIsOverTLS() async throws {
        var buffer = [CChar](repeating: 0, count: 256)
        try #require(gethostname(&buffer, 255) == 0)
        let hostName = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try await Self.withKerberosAlice(role: "LOGIN SUPERUSER", serverAlsoKnownAs: [hostName]) { cluster, office, ticket, operatorTarget in
            try cluster.sql("ALTER SYSTEM SET log_connections = on")
            try cluster.reload()
            try cluster.waitFor("log_connections") { try cluster.sql("SHOW log_connections").first?.string("log_connections") != "off" }
            let gssToTheName = try Probe.attempts(["host=\(hostName) hostaddr=\(office.serverV4) port=\(cluster.port) user=alice dbname=postgres gssencmode=require"],
                                                  in: office.namespace, environment: ticket)
            #expect(gssToTheName[0].ok, "the realm knows the server by this machine's name too: \(gssToTheName[0])")
            let logBefore = cluster.serverLog.utf8.count
            let apply = try WizardRun(namespace: office.namespace).run(["apply", operatorTarget, "--yes", "--json", "--create-certificates", "ca"],
                                                                       environment: ticket)
            #expect(apply.exitCode == 0, "the dead-man check takes a GSS-encrypted session: \(apply.stdout)\n\(apply.stderr)")
            let added = String(decoding: Array(cluster.serverLog.utf8).dropFirst(logBefore), as: UTF8.self)
            // The verify-full test comes as a throwaway role (nothing of alice's), which the rules refuse,
            // naming the connection's encryption.
            let verifyFull = added.split(separator: "\n").filter { $0.contains("pgsw-verify-full-probe-") }
            #expect(!verifyFull.isEmpty, "the verify-full test reached the server: \(added.suffix(3000))")
            for line in verifyFull {
                #expect((line.contains("SSL encryption") || line.contains("SSL enabled")) && !line.contains("GSS encryption") && !line.contains("encrypted=yes"),
                        "verify-full over TLS, not GSS encryption: \(line)")
            }
        }
    }

    /// A Kerberos operator who does not confirm in time (gone for coffee,
    /// a wizard killed): the revert watchdog reconnects the operator's way,
    /// which needs the ticket cache and realm the operator's libpq used
    /// (KRB5CCNAME, KRB5_CONFIG). Without them it retried for a minute and
    /// fell back to signalling the postmaster, unproven.
    @Test func aKerberosOperatorsWatchdogRevertsAndProvesIt() async throws {
        try await Self.withKerberosAlice(role: "LOGIN SUPERUSER") { cluster, office, ticket, operatorTarget in
            let original = cluster.hbaText
            let apply = try WizardRun(namespace: office.namespace).run(
                ["apply", operatorTarget, "--yes", "--json", "--create-certificates", "ca", "--confirm-within", "6"], environment: ticket)
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let waiting = try #require(try JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any])
            #expect(waiting["outcome"] as? String == "awaiting keep")
            let journal = try #require(waiting["journal"] as? String)
            func entries() -> [String] {
                ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            }
            func afterReverting() -> [String] { Array(entries().drop { !$0.contains("\"name\":\"watchdog_reverting\"") }) }
            let deadline = Date().addingTimeInterval(40)
            while Date() < deadline,
                  !afterReverting().contains(where: { $0.contains("\"name\":\"reloaded\"") || $0.contains("watchdog_signalled_reload") }) {
                Thread.sleep(forTimeInterval: 0.2)
            }
            let reverting = afterReverting()
            #expect(reverting.contains { $0.contains("\"name\":\"reloaded\"") }, "the watchdog's reload, proven over its own session: \(reverting)")
            #expect(!reverting.contains { $0.contains("watchdog_signalled_reload") }, "\(reverting)")
            #expect(cluster.hbaText == original, "the old pg_hba.conf is back")
        }
    }
}
