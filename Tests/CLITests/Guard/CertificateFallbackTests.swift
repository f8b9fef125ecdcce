import Executor
import Foundation
import Testing
import TestSupport

/// A `hostssl ... cert` line before a `host ... scram-sha-256` line: a
/// `prefer` client without a certificate completes the handshake, fails
/// authentication on the cert line, retries in plain text and is admitted
/// by the host line. The preview names it and why, the guard blocks when it
/// must keep access, and after `apply` the prediction holds (issue 21, item 1).
struct CertificateFallbackTests {
    @Test func aPreferClientWithoutACertificateIsPredictedAndThePredictionHolds() async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let office = lab.clients[0]
            let serverCertificate = try cluster.enableSSL()
            _ = serverCertificate
            let client = try TestClientCertificate.make(in: cluster.local.root + "/client-ca", role: "app")
            chown(client.caPath, cluster.local.owner.uid, cluster.local.owner.gid)
            try cluster.sql("CREATE ROLE app LOGIN PASSWORD 'app-secret'")
            try cluster.sql("ALTER SYSTEM SET ssl_ca_file = '\(client.caPath)'")
            try cluster.writeHBA("""
                local   all  all                               trust
                hostssl all  app  \(office.addressV4)/32        cert
                host    all  app  \(office.addressV4)/32        scram-sha-256

                """)
            try cluster.reload()
            let prefer = "host=\(office.serverV4) port=\(cluster.port) user=app password=app-secret dbname=postgres sslmode=prefer application_name=fallback-app"
            let held = try Probe.hold(1, conninfo: prefer, in: office.namespace)
            defer { held.terminate() }
            let plainToday = try cluster.sql("""
                SELECT count(*)::int AS n FROM pg_catalog.pg_stat_ssl s JOIN pg_catalog.pg_stat_activity a USING (pid)
                WHERE a.application_name = 'fallback-app' AND NOT s.ssl
                """).rows.first?.int32("n")
            #expect(plainToday == 1, "libpq's prefer fell back to plain text after the failed certificate authentication")

            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let guarded = try wizard.run(["plan", cluster.socketConninfo, "--json",
                                          "--must-keep", "user=app addr=\(office.addressV4) dbname=postgres sslcert=no"])
            #expect(guarded.exitCode == 11, "\(guarded.stdout)\n\(guarded.stderr)")
            let blocked = try GuardPlanJSON.decode(guarded)
            #expect(blocked.reasons.contains { $0.text.contains("fails authentication (line 2 wants a client certificate") }, "\(blocked.reasons)")
            let refused = try #require(blocked.refused_clients.first { $0.user == "app" })
            #expect(refused.cause == "certificate_fallback" && refused.reason.contains("reaches line 2 (cert)")
                    && refused.reason.contains("line 3 admitted the plain-text retry"), "\(refused)")

            let certified = try wizard.run(["plan", cluster.socketConninfo, "--json",
                                            "--must-keep", "user=app addr=\(office.addressV4) dbname=postgres sslcert=yes"])
            #expect(certified.exitCode == 10, "with a certificate it keeps access: \(certified.stdout)")

            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let after = try Probe.attempts([prefer, prefer + " " + client.conninfo], in: office.namespace)
            #expect(!after[0].ok && after[0].error.map { $0.contains("valid client certificate") && $0.contains("no encryption") } == true,
                    "the predicted refusal: the SSL attempt fails authentication, the plain retry finds no line: \(after[0])")
            #expect(after[1].ok && after[1].ssl, "with a certificate, as predicted, it gets in over SSL: \(after[1])")
        }
    }
}
