import Executor
import Foundation
import Testing
import TestSupport

/// Raising `ssl_min_protocol_version` refuses clients on older TLS: a
/// client capped at TLSv1.2 is listed when the floor goes to TLSv1.3, the
/// guard blocks when it must keep access, and after `apply` its session is
/// gone and its next connection is refused as predicted (issue 21, item 3).
struct TLSFloorTests {
    @Test func aSessionBelowTheNewFloorIsListedAndThePredictionHolds() async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let office = lab.clients[0]
            _ = try cluster.enableSSL()
            try cluster.sql("CREATE ROLE legacy LOGIN PASSWORD 'legacy-secret'")
            try cluster.writeHBA("""
                local   all  all                          trust
                host    all  all  \(office.addressV4)/32  scram-sha-256

                """)
            try cluster.reload()
            let capped = "host=\(office.serverV4) port=\(cluster.port) user=legacy password=legacy-secret dbname=postgres sslmode=prefer ssl_max_protocol_version=TLSv1.2 application_name=old-tls"
            let held = try Probe.hold(1, conninfo: capped, in: office.namespace)
            defer { held.terminate() }
            #expect(try cluster.sql("SELECT s.version FROM pg_catalog.pg_stat_ssl s JOIN pg_catalog.pg_stat_activity a USING (pid) WHERE a.application_name = 'old-tls'")
                .rows.first?.string("version") == "TLSv1.2")

            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let listed = try GuardPlanJSON.decode(try wizard.run(["plan", cluster.socketConninfo, "--json", "--min-tls", "TLSv1.3"]))
            let refused = try #require(listed.refused_clients.first { $0.user == "legacy" }, "\(listed.refused_clients)")
            #expect(refused.cause == "tls_below_floor" && refused.reason.contains("TLSv1.2") && refused.fix.contains("--min-tls TLSv1.2"))
            #expect(listed.terminate.count == 1, "ended with the plain ones, so the confirmation proves no session below the floor")

            let guarded = try wizard.run(["plan", cluster.socketConninfo, "--json", "--min-tls", "TLSv1.3",
                                          "--must-keep", "user=legacy addr=\(office.addressV4) dbname=postgres"])
            #expect(guarded.exitCode == 11, "\(guarded.stdout)")
            #expect(try GuardPlanJSON.decode(guarded).reasons.contains { $0.text.contains("below the new floor TLSv1.3") })

            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--min-tls", "TLSv1.3"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let after = try Probe.attempts([capped, capped.replacingOccurrences(of: "ssl_max_protocol_version=TLSv1.2", with: "")], in: office.namespace)
            #expect(!after[0].ok && after[0].error?.contains("no encryption") == true, "its handshake is refused, the plain retry too: \(after[0])")
            #expect(after[1].ok && after[1].ssl, "the same client on TLSv1.3 gets in: \(after[1])")
        }
    }
}
