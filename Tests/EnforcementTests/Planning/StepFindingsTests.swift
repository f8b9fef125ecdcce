import ClusterFacts
@testable import Enforcement
import Foundation
import HBA
import PlanFixtures
import Testing

/// "Found" is what inspection found, with its source; "Will do" is the plan
/// (issue 25, item 2).
struct StepFindingsTests {
    @Test func foundNamesTheFactsAndWhereTheyComeFrom() throws {
        var builder = SnapshotBuilder()
        builder.settings = [Setting(name: "ssl", value: "off", context: "sighup", source: "configuration file",
                                    sourceFile: "/etc/postgresql/16/main/postgresql.conf", sourceLine: 105)]
        builder.sessions = [SnapshotBuilder.client(601, user: "app", address: "10.1.1.1", ssl: false),
                            SnapshotBuilder.client(602, user: "app", address: "10.1.1.1", ssl: false)]
        var certificate = SnapshotBuilder.usableCertificate
        certificate.subject = "CN=db.example.com"
        certificate.notAfter = Date(timeIntervalSince1970: 1_800_000_000 + 40 * 86_400)
        let plan = try Planner.plan(builder.input(certificates: certificate))
        func found(_ step: StepName) -> [String] { plan.steps.first { $0.name == step }?.found ?? [] }
        #expect(found(.sslOn).contains("ssl = off (/etc/postgresql/16/main/postgresql.conf:105)"), "\(found(.sslOn))")
        #expect(found(.sslOn).contains("ssl_min_protocol_version = TLSv1.2 (the default)"))
        #expect(found(.certs).first == "certificate /data/server.crt (ssl_cert_file): CN=db.example.com, expires 2027-02-24 (in 40 days), SHA-256 AA")
        #expect(found(.certs).contains("ssl_ca_file: not set (no client certificates are requested)"))
        #expect(found(.hbaRewrite).contains("/data/pg_hba.conf:4: host    all       all   10.0.0.0/8    scram-sha-256"), "\(found(.hbaRewrite))")
        #expect(found(.terminateNonSSL) == ["2 plain-text TCP session(s) now:", "app@10.1.1.1: 2"])
        #expect(found(.confirm).first == "now: 0 SSL, 2 plain TCP, 0 unix-socket session(s)")
        // No fact twice: nothing found is what the step will do.
        for step in plan.steps {
            for fact in step.found {
                #expect(!plan.sql.contains { $0.step == step.name && $0.text == fact } && !step.details.contains(fact), "\(step.name): \(fact)")
            }
        }
    }
}
