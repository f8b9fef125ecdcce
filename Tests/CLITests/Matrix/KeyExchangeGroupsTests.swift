import Foundation
import Testing
import TestSupport

/// 18 renamed ssl_ecdh_curve to ssl_groups (and offers X25519 first);
/// status reports the groups under one key on every version, and on 18
/// the old name written in postgresql.conf lands in ssl_groups.
struct KeyExchangeGroupsTests {
    struct Status: Decodable {
        struct Groups: Decodable { var name: String; var value: String }
        var key_exchange_groups: Groups?
    }

    func groups(_ cluster: TestCluster) throws -> Status.Groups? {
        let status = try Wizard.run(["status", cluster.socketConninfo, "--json"])
        return try JSONDecoder().decode(Status.self, from: Data(status.stdout.utf8)).key_exchange_groups
    }

    @Test(arguments: [(17, "ssl_ecdh_curve", "prime256v1"), (18, "ssl_groups", "X25519:prime256v1")])
    func reportedUnderOneKey(major: Int, setting: String, defaultValue: String) async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: major)) { cluster in
            let reported = try groups(cluster)
            #expect(reported?.name == setting && reported?.value == defaultValue, "\(String(describing: reported))")
            #expect(try Wizard.run(["status", cluster.socketConninfo]).stdout.contains("Key exchange groups: \(defaultValue) (\(setting))"))
            guard major >= 18 else { return }
            try cluster.appendToConfig("ssl_ecdh_curve = 'prime256v1'\n")
            try cluster.reload()
            try cluster.waitFor("the old name to apply") { try groups(cluster)?.value == "prime256v1" }
            #expect(try groups(cluster)?.name == "ssl_groups", "18 reads the old name into ssl_groups")
        }
    }
}
