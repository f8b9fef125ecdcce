import Foundation
import PostgresClient
import Testing
import TestSupport

/// The whole enforcement on every other supported server (the rest of the
/// suite runs on Debian's 15): `status`, `plan` and `apply --yes` from SSL
/// off, with a plain-text client in one namespace and a streaming standby in
/// another, then the refusal each version words its own way.
struct VersionMatrixTests {
    @Test(arguments: TestServers.enforcementMajors)
    func statusPlanAndApplyOn(major: Int) async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let started = Date()
        let binaries = try TestServers.binaries(major: major)
        let lab = try NetworkLab.create(clients: 2)
        defer { lab.destroy() }
        try await TestCluster.with(binaries: binaries, lab: lab) { cluster in
            let (office, replicaHost) = (lab.clients[0], lab.clients[1])
            try cluster.writeHBA("""
                local   all          all                                  trust
                host    all          all         \(office.addressV4)/32   scram-sha-256   # office
                host    replication  postgres    \(replicaHost.addressV4)/32  scram-sha-256   # standby

                """)
            try cluster.reload()
            let officeClient = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: office.serverV4) + " application_name=office-app",
                                              in: office.namespace)
            defer { officeClient.terminate() }
            let standby = try TestStandby.start(of: cluster, in: replicaHost, sslmode: "prefer")
            defer { standby.destroy() }
            try cluster.waitFor("the standby to stream") {
                try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'").rows.first?.int32("n") == 1
            }
            // The session query reads pg_stat_get_activity once: the rows the views joined give,
            // here with a walsender and a client in a namespace.
            let reader = try cluster.superuserConnection()
            let readings = try SessionReadings.both(reader)
            reader.close()
            #expect(readings.function == readings.views, "on \(major):\n\(readings.function)\nagainst\n\(readings.views)")
            let wizard = try WizardRun(namespace: lab.serverNamespace)

            let status = try wizard.run(["status", cluster.socketConninfo, "--json"])
            #expect(status.exitCode == 2, "ssl is off: \(status.stdout)\n\(status.stderr)")
            let counts = try StatusCommandTests.decode(status.stdout).counts
            #expect(counts.non_ssl_tcp == 1 && counts.walsenders == 1, "the office client and the walsender: \(counts)")

            let before = try cluster.stateFingerprint()
            let plan = try wizard.run(["plan", cluster.socketConninfo, "--json", "--create-certificates", "self-signed"])
            #expect(plan.exitCode == 10, "\(plan.stdout)\n\(plan.stderr)")
            let document = try PlanCommandTests.decode(plan.stdout)
            #expect(document.terminate.compactMap(\.application_name).sorted() == ["office-app", "standby-1"], "\(document.terminate)")
            #expect(document.walsenders.map(\.address) == [replicaHost.addressV4])
            #expect(try cluster.stateFingerprint() == before, "plan changes nothing on \(major)")

            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--create-certificates", "self-signed"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let summary = try ApplySummary.decode(apply)
            #expect(summary.outcome.hasPrefix("enforced"), "\(summary.outcome)")
            let report = try AuditReportJSON.read(summary.report)
            #expect(report.terminated.filter(\.walsender).map(\.client_address) == [replicaHost.addressV4])
            #expect(report.confirmation?.negative_test.hasPrefix("refused") == true, "\(String(describing: report.confirmation))")

            let probes = try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable"),
                                             cluster.tcpConninfo(host: office.serverV4, sslmode: "require")], in: office.namespace)
            #expect(!probes[0].ok && probes[0].error?.contains("no encryption") == true, "\(probes[0])")
            #expect(probes[1].ok && probes[1].ssl, "\(probes[1])")
            try cluster.waitFor("the standby to stream again over SSL", seconds: 30) {
                try cluster.sql("""
                    SELECT count(*)::int AS n FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
                    WHERE s.ssl AND r.state = 'streaming'
                    """).rows.first?.int32("n") == 1
            }
            let after = try wizard.run(["status", cluster.socketConninfo, "--json"])
            #expect(after.exitCode == 0, "enforced: \(after.stdout)")
            print("matrix: PostgreSQL \(cluster.version): status, plan, apply --yes with a plain client and a walsender passed in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
