import Executor
import Foundation
import PostgresClient
import Testing
import TestSupport

/// An IPv6 zone naming an interface this host does not have makes the
/// server read the address as a host name: with a mask the line fails to
/// load. `hba explain` reads the file as this host's server does, and agrees
/// with the server line by line (issue 21, item 7).
struct InterfaceZoneTests {
    struct Row: Decodable { var line_number: Int; var address: String?; var error: String? }

    @Test func aZoneOfAMissingInterfaceIsAHostNameAsTheServerSays() async throws {
        try await TestCluster.with { cluster in
            let file = """
                local all all trust
                host  all all fe80::1%lo/64            md5
                host  all all fe80::1%pgswnosuchif/64  md5
                host  all all fe80::2%pgswnosuchif     md5

                """
            try cluster.writeHBA(file)
            let server = try cluster.sql("SELECT line_number, address, error FROM pg_catalog.pg_hba_file_rules ORDER BY line_number").rows
            try cluster.writeHBA("local all all trust\n")
            let serverErrors = try server.map { row in "\(try row.int("line_number")):\(try row.optionalString("error") ?? "-")" }
            #expect(serverErrors.contains { $0.hasPrefix("3:") && $0.contains("specifying both host name and CIDR mask is invalid") },
                    "the server: \(serverErrors)")

            try cluster.writeHBA(file)
            let explain = try Wizard.run(["hba", "explain", "--json", "--server-version", String(cluster.version.major), cluster.hbaFile])
            try cluster.writeHBA("local all all trust\n")
            #expect(explain.exitCode == 0 || explain.exitCode == 1, "\(explain.stderr)")
            let ours = try JSONDecoder().decode([Row].self, from: Data(explain.stdout.utf8))
            #expect(ours.map { "\($0.line_number):\($0.error ?? "-")" } == serverErrors, "ours: \(ours)")
            let hostName = try #require(ours.first { $0.line_number == 4 })
            #expect(hostName.error == nil && hostName.address == "fe80::2%pgswnosuchif", "a host name that never resolves: \(hostName)")
        }
    }
}
