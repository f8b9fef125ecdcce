import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// `contrib/ansible/enforce-ssl.yml` and `rollback.yml` on three real
/// clusters (issue 23): a blocked host stops the preview before any change
/// and is named; a failure on the second wave's host stops the rollout with
/// the third host untouched; then the fleet is enforced in waves, a second
/// run changes nothing, and the rollback playbook puts every host back.
@Suite(.serialized) struct AnsibleRolloutTests {
    static let hba = """
        local   all   all                   trust
        host    all   all   127.0.0.1/32    scram-sha-256
        host    all   all   10.0.0.0/8      scram-sha-256

        """

    @Test func previewWavesIdempotenceAndRollbackAcrossThreeClusters() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ansible-playbook") else {
            throw TestEnvironment.Missing(description: "ansible-playbook is not installed (make deps installs ansible-core)")
        }
        var clusters: [String: TestCluster] = [:]
        defer { clusters.values.forEach { $0.destroy() } }
        for host in ["db1", "db2", "db3"] {
            let cluster = try TestCluster.start()
            clusters[host] = cluster
            try cluster.writeHBA(Self.hba)
            try cluster.reload()
        }
        // db3 has a plain-text client: its run ends that session inside `keep`, before status can say enforced.
        try clusters["db3"]!.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
        let fleet = try AnsibleFleet(clusters: clusters)
        func fingerprints() throws -> [String: [String]] {
            try clusters.mapValues { try $0.stateFingerprint() }
        }

        // 1. db2 must keep a plain-text monitor: the guard blocks, nothing changes anywhere.
        let before = try fingerprints()
        let blockedInventory = try fleet.writeInventory(options: ["db2": "--must-keep 'user=monitor addr=10.1.2.3 dbname=postgres sslmode=disable'"])
        let preview = try fleet.play("enforce-ssl.yml", inventory: blockedInventory)
        #expect(preview.exitCode != 0 && preview.output.contains("the preview is blocked on db2"), "\(preview.output)")
        #expect(try fingerprints() == before, "no host changed")
        let report = try String(contentsOfFile: fleet.reportDirectory + "/fleet-report.md", encoding: .utf8)
        #expect(report.contains("| db2 | BLOCKED |") && report.contains("| db1 | plan |"), "\(report)")
        let reportJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fleet.reportDirectory + "/fleet-report.json"))) as? [String: Any]
        #expect(((reportJSON?["hosts"] as? [String: Any])?["db2"] as? [String: Any])?["verdict"] as? String == "blocked")
        let checkMode = try fleet.play("enforce-ssl.yml", inventory: try fleet.writeInventory(), extra: ["--check"])
        #expect(checkMode.exitCode == 0 && checkMode.recap.values.allSatisfy { $0["changed"] == 0 }, "\(checkMode.output)")
        #expect(try fingerprints() == before, "--check changes nothing")

        // 2. Fixed, but db2 (the second wave) fails after turning SSL on: the rollout stops there.
        let failing = try fleet.writeInventory(environment: ["db2": ["PG_SSL_WIZARD_CRASH_AT": "after:ssl_on"]])
        let stopped = try fleet.play("enforce-ssl.yml", inventory: failing)
        #expect(stopped.exitCode != 0 && stopped.output.contains("pg-ssl-wizard apply failed on db2"), "\(stopped.output)")
        #expect(try fleet.verdict("db1") == "enforced", "the canary is done")
        #expect(try clusters["db3"]!.stateFingerprint() == before["db3"], "the third host is untouched:\n\(stopped.output)")
        // The operator puts db2 back by hand, as the failure message says.
        let handRollback = try ProcessRunner.run(fleet.directory + "/db2/pg-ssl-wizard", ["rollback", clusters["db2"]!.socketConninfo],
                                                 as: clusters["db2"]!.local.owner,
                                                 environment: ["XDG_STATE_HOME": fleet.directory + "/db2/state"], inheritEnvironment: true)
        #expect(handRollback.exitCode == 0, "\(handRollback.stdout)\n\(handRollback.stderr)")

        // 3. The rollout: db1 has nothing left to do, db2 and db3 are enforced.
        let clean = try fleet.writeInventory()
        let rollout = try fleet.play("enforce-ssl.yml", inventory: clean)
        #expect(rollout.exitCode == 0, "\(rollout.output)")
        for host in fleet.hosts {
            let status = try fleet.status(host)
            #expect(status["schema"] as? Int == 1 && status["verdict"] as? String == "enforced", "\(host): \(status)")
            #expect(status["pending_keep"] == nil, "the wave's checks passed, so the playbook kept the new rules on \(host)")
        }
        #expect(rollout.recap["db1"]?["changed"] == 0 && (rollout.recap["db3"]?["changed"] ?? 0) > 0, "\(rollout.recap)")
        #expect(try clusters["db3"]!.sql("SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity WHERE application_name = 'plain-app'")
            .rows.first?.int32("n") == 0, "db3's plain-text session was ended by its run")

        // 4. Idempotent: a second run changes nothing and every host is ok.
        let again = try fleet.play("enforce-ssl.yml", inventory: clean)
        #expect(again.exitCode == 0 && again.recap.count == 3 && again.recap.values.allSatisfy { $0["changed"] == 0 && $0["failed"] == 0 },
                "\(again.recap)\n\(again.output)")

        // 5. The rollback playbook undoes each host's recorded run.
        let rollback = try fleet.play("rollback.yml", inventory: clean)
        #expect(rollback.exitCode == 0, "\(rollback.output)")
        for host in fleet.hosts {
            #expect(try fleet.verdict(host) != "enforced", "\(host) is back")
            #expect(try String(contentsOfFile: clusters[host]!.hbaFile, encoding: .utf8) == Self.hba, "\(host)'s pg_hba.conf is the original")
        }
        print("ansible fleet of 3: blocked preview \(String(format: "%.1f", preview.seconds)) s, stopped rollout \(String(format: "%.1f", stopped.seconds)) s, rollout \(String(format: "%.1f", rollout.seconds)) s, idempotent run \(String(format: "%.1f", again.seconds)) s, rollback \(String(format: "%.1f", rollback.seconds)) s")
    }
}
