import Executor
import Foundation
import Testing
import TestSupport

/// `certs generate` prints connection strings with the port of the server
/// whose data directory it writes to, and no port when it cannot know it
/// (issue 21, item 7): never a 5432 the server does not listen on.
struct GeneratedPortTests {
    @Test func theConnectionStringsCarryTheServersPortOrNone() async throws {
        try await TestCluster.with { cluster in
            let intoData = try Wizard.run(["certs", "generate", "--self-signed", "--dns", "localhost", "--key-type", "ecdsa-p256",
                                           "--out", cluster.dataDirectory])
            #expect(intoData.exitCode == 0, "\(intoData.stderr)")
            #expect(intoData.stdout.contains("host=localhost port=\(cluster.port) "), "\(intoData.stdout)")
            #expect(intoData.stdout.contains("postgresql://postgres@localhost:\(cluster.port)/"), "\(intoData.stdout)")
            #expect(cluster.port != 5432 && !intoData.stdout.contains("port=5432"))
        }
        let elsewhere = try TestEnvironment.scratchDirectory()
        let loose = try Wizard.run(["certs", "generate", "--self-signed", "--dns", "localhost", "--key-type", "ecdsa-p256", "--out", elsewhere])
        #expect(loose.exitCode == 0, "\(loose.stderr)")
        let strings = loose.stdout.split(separator: "\n").filter { $0.contains("sslrootcert") }
        #expect(strings.count == 3 && strings.allSatisfy { !$0.contains("port=") && !$0.contains(":5432") }, "\(loose.stdout)")
        #expect(loose.stdout.contains("no port"), "and says why: \(loose.stdout)")
    }
}
