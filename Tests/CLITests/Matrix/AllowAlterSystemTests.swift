import Foundation
import PostgresClient
import Testing
import TestSupport

/// 17+ with `allow_alter_system = off`: ALTER SYSTEM fails, so plan and
/// apply stop before changing anything and name the lines to add to
/// postgresql.conf; once the operator has added them and reloaded, apply
/// finishes the job with pg_hba.conf alone and never touches postgresql.auto.conf.
struct AllowAlterSystemTests {
    @Test(arguments: [17, 18])
    func offStopsWithTheLinesAndTheOperatorsEditLetsApplyFinish(major: Int) async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: major)) { cluster in
            let configFile = cluster.dataDirectory + "/postgresql.conf"
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
            try cluster.appendToConfig("allow_alter_system = off\n")
            try cluster.reload()
            try cluster.waitFor("allow_alter_system to be off") {
                try cluster.sql("SHOW allow_alter_system").rows.first?.string("allow_alter_system") == "off"
            }
            #expect(throws: PostgresError.self, "ALTER SYSTEM is refused on \(major)") { try cluster.sql("ALTER SYSTEM SET ssl = on") }
            try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain")
            let wizard = try WizardRun()
            let arguments = [cluster.socketConninfo, "--include-loopback", "--create-certificates", "self-signed"]

            let before = try cluster.stateFingerprint()
            let plan = try wizard.run(["plan"] + arguments + ["--json"])
            #expect(plan.exitCode == 11, "\(plan.stdout)\n\(plan.stderr)")
            let reason = try #require(try PlanCommandTests.decode(plan.stdout).reasons.first { $0.text.contains("allow_alter_system is off") })
            #expect(reason.text.contains("create the certificate files first") && reason.text.contains("ssl = 'on'")
                    && reason.text.contains("to \(configFile) (or to whatever writes it), reload"), "\(reason.text)")
            let apply = try wizard.run(["apply"] + arguments + ["--yes"])
            #expect(apply.exitCode == 11 && apply.stderr.contains("allow_alter_system is off"), "\(apply.stdout)\n\(apply.stderr)")
            #expect(try cluster.stateFingerprint() == before, "nothing changed on \(major)")

            // The operator does what the message says, with certificates of their own.
            let certificate = try TestCertificate.make(in: cluster.local.root + "/tls", owner: cluster.local.owner)
            try cluster.appendToConfig("ssl_cert_file = '\(certificate.certificatePath)'\nssl_key_file = '\(certificate.keyPath)'\nssl = on\n")
            try cluster.reload()
            try cluster.waitFor("TLS to come up") { try Probe.attempts([cluster.tcpConninfo(sslmode: "require")]).first?.ssl == true }
            let autoConf = try String(contentsOfFile: cluster.dataDirectory + "/postgresql.auto.conf", encoding: .utf8)

            let finish = try wizard.run(["apply", cluster.socketConninfo, "--include-loopback", "--yes", "--json"])
            #expect(finish.exitCode == 0, "\(finish.stdout)\n\(finish.stderr)")
            #expect(try ApplySummary.decode(finish).outcome.hasPrefix("enforced"))
            #expect(try String(contentsOfFile: cluster.dataDirectory + "/postgresql.auto.conf", encoding: .utf8) == autoConf,
                    "no ALTER SYSTEM was needed")
            #expect(cluster.hbaText.contains("hostssl all all 127.0.0.1/32 scram-sha-256"))
            let refused = try Probe.attempts([cluster.tcpConninfo(sslmode: "disable")]).first
            #expect(refused?.ok == false && refused?.error?.contains("no encryption") == true, "\(String(describing: refused))")
        }
    }
}
