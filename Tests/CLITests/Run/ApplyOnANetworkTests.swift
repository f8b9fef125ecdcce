import Foundation
import PostgresClient
import Testing
import TestSupport

/// `apply --yes` on a cluster with SSL off and no certificates, plain
/// clients on loopback and in two namespaces, a unix-socket session and a
/// streaming standby in a third namespace: everything the issue lists.
struct ApplyOnANetworkTests {
    @Test func fullEnforcementFromSSLOffWithClientsAndAStandby() async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 3)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let (office, branch, replicaHost) = (lab.clients[0], lab.clients[1], lab.clients[2])
            try cluster.writeHBA("""
                # TYPE  DATABASE     USER        ADDRESS                  METHOD
                local   all          all                                  trust
                host    all          all         127.0.0.1/32             scram-sha-256
                host    all          all         \(office.addressV4)/32   scram-sha-256   # office
                host    all          all         \(branch.addressV4)/32   scram-sha-256   # branch
                host    replication  postgres    \(replicaHost.addressV4)/32  scram-sha-256   # standby

                """)
            try cluster.reload()
            let original = cluster.hbaText
            let loopback = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: "127.0.0.1") + " application_name=loopback-app", in: lab.serverNamespace)
            defer { loopback.terminate() }
            let officeClients = try Probe.hold(2, conninfo: cluster.tcpConninfo(host: office.serverV4) + " application_name=office-app", in: office.namespace)
            defer { officeClients.terminate() }
            let branchClient = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: branch.serverV4) + " application_name=branch-app", in: branch.namespace)
            defer { branchClient.terminate() }
            let socket = try #require(try cluster.holdSessions(1, via: .socket, applicationName: "socket-app").first)
            // libpq's default prefer: plain while SSL is off, over SSL once it is on.
            let standby = try TestStandby.start(of: cluster, in: replicaHost, sslmode: "prefer")
            defer { standby.destroy() }
            try cluster.waitFor("the standby to stream") {
                try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'").rows.first?.int32("n") == 1
            }

            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback",
                                        "--create-certificates", "self-signed"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let summary = try ApplySummary.decode(apply)
            #expect(summary.outcome.hasPrefix("enforced"), "\(summary.outcome)")
            #expect(summary.warnings.isEmpty, "\(summary.warnings)")
            let backup = try #require(summary.backups[cluster.hbaFile])
            #expect(try String(contentsOfFile: backup, encoding: .utf8) == original, "the original pg_hba.conf is in the backup")

            let probes = try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable"),
                                             cluster.tcpConninfo(host: office.serverV4, sslmode: "require")], in: office.namespace)
            #expect(!probes[0].ok && probes[0].error?.contains("no encryption") == true, "\(probes[0])")
            #expect(probes[1].ok && probes[1].ssl, "\(probes[1])")

            let overSSL = try cluster.sql("""
                SELECT count(*)::int AS n FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
                WHERE s.ssl AND r.state = 'streaming' AND r.application_name = 'standby-1'
                """).rows.first?.int32("n")
            #expect(overSSL == 1, "the replica streams again, over SSL")
            #expect(try socket.query("SELECT 1 AS one").rows.first?.int32("one") == 1, "the unix-socket session is alive")

            let report = try AuditReportJSON.read(summary.report)
            #expect(report.terminated.map { $0.application_name ?? "" }.sorted()
                    == ["branch-app", "loopback-app", "office-app", "office-app", "standby-1"], "\(report.terminated)")
            #expect(report.terminated.filter(\.walsender).map(\.client_address) == [replicaHost.addressV4])
            #expect(report.confirmation?.negative_test.hasPrefix("refused") == true)
            #expect(report.confirmation?.verify_full?.hasPrefix("verified") == true, "\(String(describing: report.confirmation))")
            #expect(report.exposure_window_seconds.map { $0 >= 0 && $0 < 60 } == true)
            // Each completed step's duration, and times to the millisecond in the journal.
            let timed = Set(report.step_seconds?.keys.map { $0 } ?? [])
            #expect(timed.isSuperset(of: ["certs", "ssl_on", "hba_rewrite", "reload_or_restart", "terminate_non_ssl", "confirm"]), "\(timed)")
            #expect(report.step_seconds?.values.allSatisfy { $0 >= 0 && $0 < 60 } == true)
            let journal = try String(contentsOfFile: summary.journal, encoding: .utf8)
            #expect(journal.range(of: #"T\d{2}:\d{2}:\d{2}\.\d{3}Z"#, options: .regularExpression) != nil, "millisecond times")
            let markdown = try String(contentsOfFile: try #require(summary.report), encoding: .utf8)
            #expect(markdown.contains("- Turn SSL on: verified in "), "the report names steps by title, with durations")

            let status = try wizard.run(["status", cluster.socketConninfo])
            #expect(status.exitCode == 0, "\(status.stdout)\n\(status.stderr)")
            #expect(!wizard.allStateText().contains(cluster.local.superuserPassword), "no password in the state directory")
        }
    }
}
