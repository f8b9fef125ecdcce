import Foundation
import PostgresClient
import Testing
import TestSupport

/// `apply --grace 10` while an application keeps working (issue 26):
/// persistent `prefer` clients inside transactions most of the time, clients
/// that connect for every transaction, one `sslmode=disable` client, and a
/// streaming standby, each from its own namespace. Counts, not times: no
/// transaction is cut in half and no `prefer` client fails to connect.
struct EnforcementUnderLoadTests {
    @Test func noTransactionIsCutAndNoPreferClientFailsToConnect() async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 3)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let (office, batch, replicaHost) = (lab.clients[0], lab.clients[1], lab.clients[2])
            try cluster.writeHBA("""
                local   all          all                                  trust
                host    all          all         \(office.addressV4)/32   scram-sha-256
                host    all          all         \(batch.addressV4)/32    scram-sha-256
                host    replication  postgres    \(replicaHost.addressV4)/32  scram-sha-256

                """)
            try cluster.reload()
            try LoadHarness.prepare(cluster)
            let standby = try TestStandby.start(of: cluster, in: replicaHost, sslmode: "prefer")
            defer { standby.destroy() }
            try cluster.waitFor("the standby to stream") {
                try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'").rows.first?.int32("n") == 1
            }
            let load = try LoadHarness.start([
                .init(name: "persistent", namespace: office.namespace,
                      conninfo: cluster.tcpConninfo(host: office.serverV4, sslmode: "prefer") + " application_name=persistent", clients: 6),
                .init(name: "per-transaction", namespace: batch.namespace,
                      conninfo: cluster.tcpConninfo(host: batch.serverV4, sslmode: "prefer") + " application_name=per-transaction",
                      clients: 3, connectEach: true),
                .init(name: "disable", namespace: batch.namespace,
                      conninfo: cluster.tcpConninfo(host: batch.serverV4, sslmode: "disable") + " application_name=disable", clients: 1),
            ])
            var stopped = false
            defer { if !stopped { load.stop() } }
            try LoadHarness.waitForSessions(cluster, applicationName: "persistent", count: 6)
            // Blocking sleeps while the load runs: a suspended test resumes only when a thread of the
            // shared pool is free, which under the whole suite took minutes, past the load's 300 s
            // (its clients had stopped, the apply found nothing to end: a CI-mode run here).
            usleep(2_000_000)

            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--grace", "10",
                                        "--create-certificates", "self-signed"])
            // The clients go on a while after enforcement: the prefer ones must come back over SSL.
            usleep(3_000_000)
            let reports = try load.finish()
            stopped = true
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let summary = try ApplySummary.decode(apply)
            #expect(summary.outcome.hasPrefix("enforced"), "\(summary.outcome)")

            let persistent = try #require(reports["persistent"]), perTransaction = try #require(reports["per-transaction"])
            let disable = try #require(reports["disable"])
            #expect(persistent.cut == 0, "persistent clients cut inside a transaction: \(persistent.cut_messages)")
            #expect(perTransaction.cut == 0, "per-transaction clients cut: \(perTransaction.cut_messages)")
            #expect(disable.cut == 0, "the sslmode=disable client cut: \(disable.cut_messages)")
            #expect(persistent.connect_failures == 0, "\(persistent.connect_failure_messages)")
            #expect(perTransaction.connect_failures == 0, "\(perTransaction.connect_failure_messages)")
            // The premise: each kind worked before and after, and enforcement reached the plain client.
            #expect(persistent.lost_between_transactions > 0, "the persistent sessions were plain and ended between transactions")
            #expect(persistent.transactions.contains { $0[2] == 1 } && persistent.transactions.contains { $0[2] == 0 })
            #expect(perTransaction.transactions.contains { $0[2] == 1 } && perTransaction.committed > 20)
            #expect(disable.connect_failures > 0 && disable.connect_failure_messages.contains { $0.contains("no encryption") },
                    "\(disable.connect_failure_messages)")

            let report = try AuditReportJSON.read(summary.report)
            let clients = report.terminated.filter { !$0.walsender }
            #expect(clients.count >= 7, "\(report.terminated)")
            #expect(clients.allSatisfy { $0.state == "idle" && $0.cut_inside_transaction == false }, "\(clients)")
            #expect(report.terminated.contains { $0.walsender && $0.client_address == replicaHost.addressV4 })
            try cluster.waitFor("the standby to stream over SSL") {
                try cluster.sql("""
                    SELECT count(*)::int AS n FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
                    WHERE s.ssl AND r.state = 'streaming'
                    """).rows.first?.int32("n") == 1
            }
        }
    }
}
