import ClusterFacts
import Foundation
import PostgresClient
import Testing
import TestSupport

/// libpq quotes a malformed URI whole, password included; what the operator
/// reads must not. Also the fuzz corpus through the fuzz target's properties.
struct ConninfoScrubberTests {
    static func message(_ conninfo: String) -> String? {
        do {
            _ = try ConnectionTarget(conninfo)
            return nil
        } catch {
            return operatorMessage(for: error)
        }
    }

    @Test(arguments: [
        "postgresql://app:Sup3rSecretPw@[::1",
        "postgresql://app:Sup3rSecretPw@[::1]:5432/db?nosuch=1",
        "postgres://app:Sup3rSecretPw@h/db?sslmode",
        "host=h password=Sup3rSecretPw port=5432 x",
        "host=h password='Sup3rSecretPw",
    ])
    func malformedStringsNeverShowThePassword(_ conninfo: String) throws {
        let text = try #require(Self.message(conninfo), "\(conninfo) should not parse")
        #expect(!text.contains("Sup3rSecretPw"), "\(text)")
    }

    @Test func theURIKeepsEverythingButThePassword() throws {
        let text = try #require(Self.message("postgresql://app:Sup3rSecretPw@[::1"))
        #expect(text.contains("postgresql://app:********@[::1"), "\(text)")
    }

    @Test func aShortPasswordIsMaskedWithoutManglingWords() throws {
        let text = try #require(Self.message("postgresql://app:pa@[::1"))
        #expect(text.contains("app:********@") && text.contains("IPv6 host address"), "\(text)")
    }

    /// The conninfo fuzz corpus (make fuzz FUZZ=conninfo starts from it) under
    /// the fuzz target's properties: a password planted in each shape never
    /// reaches a message or a description.
    @Test func theFuzzCorpusKeepsPlantedPasswordsOut() throws {
        let directory = TestEnvironment.packageRoot() + "/Tests/PostgresClientTests/ConninfoCorpus"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count >= 10)
        for file in files {
            let input = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for conninfo in [input + " password=Pl4ntedS3cret", "postgresql://app:Pl4ntedS3cret@" + input] {
                if let text = Self.message(conninfo) {
                    #expect(!text.contains("Pl4ntedS3cret"), "\(file): \(text)")
                } else {
                    let target = try ConnectionTarget(conninfo)
                    #expect(target.explicitKeywords["password"] == nil && !target.redactedDescription.contains("Pl4ntedS3cret"), "\(file)")
                }
            }
        }
    }
}
