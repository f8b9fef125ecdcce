import ClusterFacts
import Foundation
import Testing

/// ssl_passphrase_command's value (often the passphrase itself) never reaches
/// the status text or JSON; whether it is set still shows, and so does every
/// other setting.
struct SecretSettingsTests {
    static let command = "echo Pa55phraseXyz"

    static func report(passphraseCommand: String) -> StatusReport {
        let settings = [
            Setting(name: "ssl", value: "on", context: "sighup", source: "configuration file",
                    sourceFile: "/d/postgresql.conf", sourceLine: 3),
            Setting(name: "ssl_cert_file", value: "server.crt", context: "sighup", source: "default"),
            Setting(name: "ssl_passphrase_command", value: passphraseCommand, context: "sighup", source: "configuration file",
                    sourceFile: "/d/postgresql.conf", sourceLine: 7, bootValue: ""),
            Setting(name: "ssl_passphrase_command_supports_reload", value: "on", context: "sighup", source: "configuration file"),
        ]
        let snapshot = ClusterSnapshot(
            takenAt: Date(timeIntervalSince1970: 0),
            server: ServerFacts(version: ServerVersion(major: 15, minor: 18), versionString: "PostgreSQL 15.18",
                                systemIdentifier: "1", dataDirectory: "/d", configFile: "/d/postgresql.conf",
                                hbaFile: "/d/pg_hba.conf", identFile: "/d/pg_ident.conf", listenAddresses: "*", port: 5432,
                                confLoadTime: nil, postmasterStartTime: nil, inRecovery: false),
            privileges: Privileges(role: "postgres", isSuperuser: true, readAllStats: true, readAllSettings: true, signalBackend: true),
            own: OwnSession(pid: 1, user: "postgres", database: "postgres", transport: .unixSocket, host: "/tmp",
                            port: "5432", serverAddress: nil, clientAddress: nil, ssl: false, tlsProtocol: nil,
                            cipher: nil, keyBits: nil, gssEncrypted: false, sslMode: "prefer"),
            settings: settings, fileSettings: [], hbaRules: nil, sessions: [],
            fileAccess: FileAccess(hbaReadable: true, sameHostVerified: true, problem: nil))
        return StatusReport(snapshot: snapshot, assessment: StatusAssessment(snapshot: snapshot, tls: .offered))
    }

    @Test func statusTextAndJSONNeverShowThePassphraseCommand() throws {
        let report = Self.report(passphraseCommand: Self.command)
        let text = report.text()
        let json = report.json()
        for output in [text, json] {
            #expect(!output.contains("Pa55phraseXyz"), "\(output)")
        }
        // It is set, and the rest of the table is as it was.
        let row = try #require(text.split(separator: "\n").first { $0.contains("ssl_passphrase_command ") })
        #expect(row.contains("********") && row.contains("/d/postgresql.conf:7"), "\(row)")
        #expect(text.contains("server.crt"))
        #expect(json.contains("\"value\" : \"********\""), "\(json)")
        let document = try JSONDecoder().decode(StatusReport.Document.self, from: Data(json.utf8))
        #expect(document.sslSettings.first { $0.name == "ssl_passphrase_command" }?.value == "********")
        #expect(document.sslSettings.first { $0.name == "ssl_passphrase_command_supports_reload" }?.value == "on")
        #expect(document.sslSettings.first { $0.name == "ssl_cert_file" }?.value == "server.crt")

        // Unset shows as unset.
        let unset = Self.report(passphraseCommand: "").text()
        let unsetRow = try #require(unset.split(separator: "\n").first { $0.contains("ssl_passphrase_command ") })
        #expect(unsetRow.contains("''") && !unsetRow.contains("********"), "\(unsetRow)")
    }

    @Test func theOneRuleForEveryOutput() {
        #expect(SecretSettings.isSecret("ssl_passphrase_command"))
        #expect(SecretSettings.isSecret("primary_conninfo"))
        #expect(!SecretSettings.isSecret("ssl_passphrase_command_supports_reload"))
        #expect(!SecretSettings.isSecret("password_encryption"))
        #expect(SecretSettings.shown("ssl_passphrase_command", Self.command) == "********")
        #expect(SecretSettings.shown("ssl_passphrase_command", "") == "")
        #expect(SecretSettings.shown("ssl_cert_file", "server.crt") == "server.crt")

        let setting = Setting(name: "ssl_passphrase_command", value: Self.command, context: "sighup", source: "override",
                              bootValue: Self.command)
        let masked = SecretSettings.masked(setting)
        #expect(masked.value == "********" && masked.bootValue == "********" && masked.source == "override")

        let evidence = SecretSettings.masked(["ssl": "on", "ssl_passphrase_command": Self.command, "ssl_key_file": "k"])
        #expect(evidence == ["ssl": "on", "ssl_passphrase_command": "********", "ssl_key_file": "k"])
    }
}
