import Foundation
import Testing
import TestSupport

/// `apply --observe` (issue 22, item 1): once SSL is on, a client pinned to
/// sslmode=disable that keeps connecting is reported and the run stops
/// before the rewrite (exit 11, pg_hba.conf untouched); `resume --yes`
/// goes on, and a `prefer` client terminated at step 5 is reported as
/// moved to SSL. `plan --after-ssl` sees the same client on a server where
/// SSL is already on.
struct ObservationWindowTests {
    struct Report: Decodable {
        struct Confirmation: Decodable { var moved_to_ssl: [String]?; var not_back_over_ssl: [String]? }
        var confirmation: Confirmation?
    }

    @Test func aPinnedClientStopsTheRunBeforeTheRewriteAndPreferClientsMove() async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 2)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let (office, batch) = (lab.clients[0], lab.clients[1])
            try cluster.writeHBA("""
                local all all trust
                host  all all \(office.addressV4)/32 scram-sha-256
                host  all all \(batch.addressV4)/32  scram-sha-256

                """)
            try cluster.reload()
            let original = cluster.hbaText
            try LoadHarness.prepare(cluster)
            let load = try LoadHarness.start([
                .init(name: "prefer", namespace: office.namespace,
                      conninfo: cluster.tcpConninfo(host: office.serverV4, sslmode: "prefer") + " application_name=shop", clients: 2),
                .init(name: "pinned", namespace: batch.namespace,
                      conninfo: cluster.tcpConninfo(host: batch.serverV4, sslmode: "disable") + " application_name=nightly",
                      clients: 1, connectEach: true, insideMilliseconds: 20, thinkMilliseconds: 200),
            ])
            defer { load.stop() }
            try LoadHarness.waitForSessions(cluster, applicationName: "shop", count: 2)

            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let stopped = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--observe", "3", "--create-certificates", "self-signed"])
            #expect(stopped.exitCode == 11, "\(stopped.stdout)\n\(stopped.stderr)")
            #expect(stopped.stdout.contains("plain after SSL was offered: postgres@postgres from \(batch.addressV4) (nightly)"), "\(stopped.stdout)")
            #expect(!stopped.stdout.contains("(shop)"), "the prefer client connected before SSL was on and stays connected: not pinned")
            #expect(stopped.stderr.contains("resume --yes"), "\(stopped.stderr)")
            #expect(cluster.hbaText == original, "the rewrite did not happen")
            #expect(try cluster.sql("SHOW ssl").rows.first?.string("ssl") == "on", "phase A stays")

            let plan = try wizard.run(["plan", cluster.socketConninfo, "--after-ssl", "2"])
            // Connected at the plan's snapshot it is a live session; otherwise the window saw it. Either way it is listed.
            #expect(plan.stdout.contains("postgres@postgres from \(batch.addressV4) (nightly)"), "\(plan.stdout)")

            let resumed = try wizard.run(["resume", cluster.socketConninfo, "--yes", "--json"])
            #expect(resumed.exitCode == 0, "\(resumed.stdout)\n\(resumed.stderr)")
            let summary = try ApplySummary.decode(resumed)
            #expect(summary.outcome.hasPrefix("enforced"), "\(summary.outcome)")
            let data = try #require(FileManager.default.contents(atPath: (summary.report ?? "").replacingOccurrences(of: ".md", with: ".json")))
            let report = try JSONDecoder().decode(Report.self, from: data)
            let shop = "postgres@\(office.addressV4) (shop)"
            // The report says what the confirmation saw (a client may still be reconnecting then); `status` says it again.
            #expect(report.confirmation.map { ($0.moved_to_ssl ?? []) + ($0.not_back_over_ssl ?? []) }?.contains(shop) == true,
                    "\(String(describing: report.confirmation))")
            struct Status: Decodable { struct Clients: Decodable { var moved_to_ssl: [String]; var not_back_over_ssl: [String] }; var last_run_clients: Clients? }
            try cluster.waitFor("the prefer client back over SSL", seconds: 10) {
                let status = try wizard.run(["status", cluster.socketConninfo, "--json"])
                return try JSONDecoder().decode(Status.self, from: Data(status.stdout.utf8)).last_run_clients?.moved_to_ssl.contains(shop) == true
            }
            let text = try wizard.run(["status", cluster.socketConninfo])
            #expect(text.stdout.contains("back over SSL (moved: \(shop))"), "\(text.stdout)")
        }
    }
}
