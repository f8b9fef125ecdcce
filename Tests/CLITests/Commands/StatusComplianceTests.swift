import Foundation
import Testing
import TestSupport

/// `status --compliance` (issue 22, item 3): every item passes on an
/// enforced server, and fails item by item with SSL off or a TLS 1.1 floor;
/// client-certificate items are never passed, only "not covered".
@Suite(.serialized) struct StatusComplianceTests {
    struct Status: Decodable {
        struct Item: Decodable { var standard: String; var item: String; var result: String; var evidence: String }
        var compliance: [Item]?
    }

    static func compliance(_ wizard: WizardRun, _ cluster: TestCluster) throws -> [String: String] {
        let output = try wizard.run(["status", cluster.socketConninfo, "--json", "--compliance"])
        let items = try #require(try JSONDecoder().decode(Status.self, from: Data(output.stdout.utf8)).compliance, "\(output.stdout)\(output.stderr)")
        return Dictionary(items.map { ("\($0.standard.hasPrefix("CIS PostgreSQL 17") ? "cis17" : $0.standard.hasPrefix("CIS") ? "cis16" : $0.standard.hasPrefix("DISA") ? "stig" : "pci") \($0.item)", $0.result) },
                          uniquingKeysWith: { first, _ in first })
    }

    @Test func passesWhenEnforcedAndFailsItemByItem() async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let office = lab.clients[0]
            try cluster.writeHBA("local all all trust\nhost all all \(office.addressV4)/32 scram-sha-256\nhost all all \(office.serverV4)/32 scram-sha-256\n")
            try cluster.reload()
            let wizard = try WizardRun(namespace: lab.serverNamespace)

            let off = try Self.compliance(wizard, cluster)
            #expect(off["cis16 6.8"] == "fail" && off["cis17 6.8"] == "fail" && off["stig V-233579 (CD12-00-007200)"] == "fail", "\(off)")
            #expect(off["cis16 5.4"] == "fail" && off["pci 4.2.1 (protocol)"] == "fail" && off["pci 4.2.1 (certificates)"] == "fail", "\(off)")
            #expect(off["stig V-233577 (CD12-00-007000)"] == "not_covered" && off["cis16 7.5"] == "not_applicable", "\(off)")

            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--create-certificates", "self-signed", "--min-tls", "TLSv1.3"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            // The audit report judges the same items on the run's own confirmation.
            let summary = try ApplySummary.decode(apply)
            let reportData = try #require(FileManager.default.contents(atPath: (summary.report ?? "").replacingOccurrences(of: ".md", with: ".json")))
            let reported = try #require(try JSONDecoder().decode(Status.self, from: reportData).compliance)
            #expect(!reported.isEmpty && !reported.contains { $0.result == "fail" }, "\(reported)")
            #expect(reported.contains { $0.item == "5.4" && $0.result == "pass" && $0.evidence.contains("refused") })
            let markdown = try String(contentsOfFile: try #require(summary.report), encoding: .utf8)
            #expect(markdown.contains("## Compliance") && markdown.contains("PASS  CIS PostgreSQL 17 Benchmark v1.0.0 6.9"), "\(markdown)")
            let enforced = try Self.compliance(wizard, cluster)
            let failing = enforced.filter { $0.value == "fail" }
            #expect(failing.isEmpty, "\(failing)")
            #expect(enforced["cis16 6.8"] == "pass" && enforced["cis17 6.9"] == "pass" && enforced["cis16 5.4"] == "pass"
                    && enforced["stig V-233602 (CD12-00-010200)"] == "pass" && enforced["pci 4.2.1 (protocol)"] == "pass", "\(enforced)")

            try cluster.sql("ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1.1'")
            try cluster.reload()
            let weak = try Self.compliance(wizard, cluster)
            #expect(weak["cis16 6.9"] == "fail" && weak["cis17 6.9"] == "fail" && weak["pci 4.2.1 (protocol)"] == "fail", "\(weak)")
            #expect(weak["cis16 6.8"] == "pass" && weak["cis16 5.4"] == "pass", "only the floor items fail: \(weak)")
            let text = try wizard.run(["status", cluster.socketConninfo, "--compliance"])
            #expect(text.stdout.contains("FAIL  CIS PostgreSQL 17 Benchmark v1.0.0 6.9: Ensure that TLSv1.3, or later, is configured"), "\(text.stdout)")
        }
    }
}
