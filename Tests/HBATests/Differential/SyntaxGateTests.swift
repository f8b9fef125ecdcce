import ClusterFacts
import Executor
import Foundation
import HBA
import PlanningInputs
import PostgresClient
import Sandbox
import Testing
import TestSupport

/// The pg_hba.conf syntax that changed between versions, shown on the
/// version that has it: one file with a continuation, a regular expression
/// and an include, read by each server and by us for that server's version.
/// The server's rows decide; ours must equal them.
struct SyntaxGateTests {
    static let file = """
        local   all   all   trust
        host    all   alice \\
                10.1.0.0/16   md5
        host    /^app_\\d+$   all   10.2.0.0/16   md5
        include extra.conf
        host    all   all   10.3.0.0/16   md5

        """

    @Test(arguments: [13, 14, 15, 16, 17, 18])
    func gatesOn(major: Int) async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: major)) { cluster in
            try writeAuxiliaryFiles(cluster)
            try cluster.writeHBA(Self.file)
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let server = try ServerInspector(connection: connection).readHBAFileRules(version: cluster.version)
            let context = parseContext(for: cluster, sslEnabled: false, interfaceNames: nil)
            let ours = FileRulesView.rows(of: HBADocument(path: cluster.hbaFile, text: Self.file, context: context, files: DiskFileSource()))
            try cluster.writeHBA("local all all trust\n")
            #expect(server == ours, "server:\n\(server.map { "\($0)" }.joined(separator: "\n"))\nours:\n\(ours.map { "\($0)" }.joined(separator: "\n"))")

            let continued = server.first { $0.lineNumber == 2 }
            if major == 13 {
                #expect(continued?.error != nil, "13 has no continuation lines: \(String(describing: continued))")
            } else {
                #expect(continued?.error == nil && continued?.address == "10.1.0.0", "14+ joins the next line: \(String(describing: continued))")
            }
            let regex = server.first { $0.lineNumber == 4 }
            #expect(regex?.database == ["/^app_\\d+$"], "the token is shown as written on every version")

            let include = server.filter { $0.lineNumber == 5 && $0.fileName?.hasSuffix("pg_hba.conf") != false }
            let included = server.filter { $0.fileName?.hasSuffix("extra.conf") == true }
            if major >= 16 {
                #expect(include.isEmpty && included.count == 2, "16+ reads extra.conf in place: \(server)")
                #expect(server.compactMap(\.ruleNumber) == Array(1...server.compactMap(\.ruleNumber).count), "rule_number counts the loaded rules")
                #expect(server.allSatisfy { $0.fileName != nil }, "file_name is filled on 16+")
                // Rows come in the order the server read them: extra.conf sits between lines 5 and 6.
                let order = server.map { "\($0.fileName.map { ($0 as NSString).lastPathComponent } ?? ""):\($0.lineNumber)" }
                #expect(order.firstIndex(of: "extra.conf:1")! < order.firstIndex(of: "pg_hba.conf:6")!, "\(order)")
            } else {
                #expect(include.first?.error == "invalid connection type \"include\"", "before 16 include is no keyword: \(include)")
                #expect(server.allSatisfy { $0.ruleNumber == nil && $0.fileName == nil }, "no rule_number/file_name before 16")
            }
        }
    }
}
