import Certificates
import Foundation
import Testing

/// The inspection's rules on values: key-file permissions (PostgreSQL's
/// check_ssl_key_file_permissions), names, validity, chain, rotation.
struct InspectionTests {
    @Test(arguments: [
        // (owner uid, mode, expected finding codes); the server runs as uid 111.
        (UInt32(111), UInt32(0o600), [String]()), (111, 0o400, []), (111, 0o640, ["key-mode"]), (111, 0o644, ["key-mode"]),
        (0, 0o640, []), (0, 0o600, []), (0, 0o660, ["key-mode"]), (0, 0o644, ["key-mode"]),
        (222, 0o600, ["key-owner"]), (222, 0o644, ["key-owner", "key-mode"]),
    ])
    func keyFileRules(owner: UInt32, mode: UInt32, codes: [String]) {
        let file = FileSnapshot(path: "/d/server.key", kind: .regular, bytes: [], ownerUID: owner, ownerName: "u\(owner)", mode: mode)
        #expect(KeyFilePermissions.findings(for: file, serverUser: Material.serverUser).map(\.code) == codes)
    }

    @Test func namesFollowLibpqVerifyFull() throws {
        let plan = try Material.plan(.localCA, dns: ["*.db.example.com", "db.example.com"], ip: ["10.0.0.5", "fd00::5"])
        let report = Material.inspect(plan, names: ["a.db.example.com", "DB.example.com", "x.a.db.example.com", "10.0.0.5",
                                                    "fd00:0::5", "10.0.0.6", "db"])
        #expect(report.names.map(\.covered) == [true, true, false, true, true, false, false])
        #expect(report.findings.map(\.code) == ["name-not-covered", "name-not-covered", "name-not-covered"])
        #expect(!report.verifyFullReady)
    }

    @Test func expiryWindows() throws {
        let plan = try Material.plan(.localCA, days: 40)
        let day = 86_400.0
        #expect(Material.inspect(plan, names: [], at: Material.now.addingTimeInterval(5 * day)).findings.isEmpty)
        let soon = Material.inspect(plan, names: [], at: Material.now.addingTimeInterval(35 * day))
        #expect(soon.findings.map(\.code) == ["expires-soon"])
        #expect(soon.worstSeverity == .warning)
        #expect(soon.findings[0].message.contains("expires in 5 days"))
        let rotation = RotationPlan.make(for: soon, dataDirectory: "/data")
        #expect(rotation?.steps.contains { $0.contains("certs generate --ca --dns db.example.com --ip 10.0.0.5 --out /data") } == true)
        #expect(rotation?.steps.contains { $0.hasPrefix("SELECT pg_reload_conf()") } == true)
        let expired = Material.inspect(plan, names: [], at: Material.now.addingTimeInterval(41 * day))
        #expect(expired.findings.map(\.code) == ["expired"])
        let early = Material.inspect(plan, names: [], at: Material.now.addingTimeInterval(-day))
        #expect(early.findings.map(\.code) == ["not-yet-valid"])
        #expect(RotationPlan.make(for: early, dataDirectory: "/data") == nil)
    }

    @Test func keyAndChainMismatches() throws {
        let one = try Material.plan(.localCA), other = try Material.plan(.localCA)
        let report = CertificateInspection(
            certificate: Material.snapshot("/d/server.crt", Material.text(one, "/data/server.crt"), mode: 0o644),
            key: Material.snapshot("/d/server.key", Material.text(other, "/data/server.key")),
            ca: Material.snapshot("/d/root.crt", Material.text(other, "/data/root.crt"), mode: 0o644),
            serverUser: Material.serverUser, names: [], now: Material.now).run()
        #expect(report.findings.map(\.code) == ["key-mismatch", "chain-not-verified"])
    }

    @Test func unusableFilesAreNamed() {
        let report = CertificateInspection(
            certificate: Material.snapshot("/d/server.crt", "hello\n"), key: .missing("/d/server.key"),
            ca: FileSnapshot(path: "/d/root.crt", kind: .other), serverUser: Material.serverUser, names: ["x"], now: Material.now).run()
        #expect(report.findings.map(\.code) == ["not-pem", "file-missing", "not-regular-file"])
        #expect(report.findings.allSatisfy { $0.message.contains("/d/") })
    }

    @Test func encryptedKeysNeedAPassphraseCommand() throws {
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG\n-----END ENCRYPTED PRIVATE KEY-----\n"
        let plan = try Material.plan(.selfSigned)
        func inspect(_ setting: PassphraseSetting) -> [String] {
            CertificateInspection(certificate: Material.snapshot("/d/server.crt", Material.text(plan, "/data/server.crt"), mode: 0o644),
                                  key: Material.snapshot("/d/server.key", encrypted), ca: nil, serverUser: Material.serverUser,
                                  names: [], passphrase: setting, now: Material.now).run().findings.map(\.code)
        }
        #expect(inspect(PassphraseSetting()) == ["encrypted-key", "no-ca-file"])
        #expect(inspect(PassphraseSetting(commandConfigured: true)) == ["encrypted-key-no-reload", "no-ca-file"])
        #expect(inspect(PassphraseSetting(commandConfigured: true, supportsReload: true)) == ["no-ca-file"])
    }

    @Test func pemBlocksRoundTrip() {
        let der: [UInt8] = Array(0..<200).map { UInt8($0) }
        let text = PEMFile.encode(label: "CERTIFICATE", der: der)
        #expect(PEMFile.blocks(Array(("junk before\n" + text).utf8))?.first?.der == der)
        #expect(PEMFile.blocks(Array("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".utf8)) == nil)
    }
}
