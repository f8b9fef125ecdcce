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
    static func withKerberosAlice(role: String = "LOGIN",
                                  _ body: (TestCluster, NetworkLab.Client, [String: String], String) throws -> Void) async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let office = lab.clients[0]
            _ = try cluster.enableSSL()
            let kdc = try TestKDC.start(in: lab.serverNamespace, reachedAt: office.serverV4, serverOwner: cluster.local.owner)
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
}
