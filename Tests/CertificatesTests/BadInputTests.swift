import Certificates
import Executor
import Foundation
import HostIO
import Testing
import TestSupport
import X509

/// Every bad input of `certs inspect`: one clear message naming the file and
/// the fix, exit 2, and nothing on disk changed.
struct BadInputTests {
    /// A good CA-signed set in a fresh directory, owned by the current user.
    static func goodFiles() throws -> String {
        let root = try TestEnvironment.scratchDirectory()
        let run = try Wizard.run(["certs", "generate", "--ca", "--dns", "localhost", "--ip", "127.0.0.1", "--key-type", "ecdsa-p256",
                                  "--out", root, "--ca-dir", root + "/ca"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        return root
    }

    /// Runs inspect on `root`'s files and checks the outcome and that nothing changed.
    static func expectRefusal(_ root: String, names: [String] = ["localhost"], extra: [String] = [],
                              exitCode: Int32 = 2, mentioning fragments: [String]) throws {
        let before = TestEnvironment.fingerprint(root)
        let run = try Wizard.run(["certs", "inspect", "--cert", root + "/server.crt", "--key", root + "/server.key",
                                  "--ca", root + "/root.crt", "--server-user", OSUser.current.name, "--names"] + names + extra)
        #expect(run.exitCode == exitCode, "\(run.stdout)\(run.stderr)")
        let problems = run.stdout.split(separator: "\n").filter { $0.hasPrefix("ERROR: ") || $0.hasPrefix("WARNING: ") }
        #expect(problems.count == 1, "exactly one problem expected:\n\(run.stdout)")
        for fragment in fragments { #expect(problems.first?.contains(fragment) == true, "missing \(fragment) in \(problems)") }
        #expect(TestEnvironment.fingerprint(root) == before, "inspect must not change anything")
    }

    static func writeCertificate(_ root: String, validFrom: Date, days: Int) throws {
        let key = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: root + "/server.key", encoding: .utf8))
        let certificate = try CertificateFactory.serverCertificate(
            CertificateRequest(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], keyKind: .ecdsaP256, validityDays: days),
            key: key, issuer: nil, now: validFrom)
        try PEMEncoding.certificate(certificate).write(toFile: root + "/server.crt", atomically: true, encoding: .utf8)
        try PEMEncoding.certificate(certificate).write(toFile: root + "/root.crt", atomically: true, encoding: .utf8)
    }

    @Test func missingFile() throws {
        let root = try Self.goodFiles()
        try FileManager.default.removeItem(atPath: root + "/server.key")
        try Self.expectRefusal(root, mentioning: [root + "/server.key", "does not exist", "certs generate"])
    }

    @Test func garbagePEM() throws {
        let root = try Self.goodFiles()
        try "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n".write(toFile: root + "/server.crt", atomically: true, encoding: .utf8)
        try Self.expectRefusal(root, mentioning: [root + "/server.crt", "not a PEM file", "replace it"])
    }

    @Test func keyNotMatchingCertificate() throws {
        let root = try Self.goodFiles(), other = try Self.goodFiles()
        try FileManager.default.removeItem(atPath: root + "/server.key")
        try FileManager.default.copyItem(atPath: other + "/server.key", toPath: root + "/server.key")
        try Self.expectRefusal(root, mentioning: [root + "/server.key", "does not belong to certificate", "generate both anew"])
    }

    @Test func keyMode0644() throws {
        let root = try Self.goodFiles()
        chmod(root + "/server.key", 0o644)
        try Self.expectRefusal(root, mentioning: [root + "/server.key", "0644", "chmod 600"])
    }

    @Test func keyOwnedByAnotherUser() throws {
        try TestEnvironment.requireRoot(for: "giving a key file to another user")
        let root = try Self.goodFiles()
        let nobody = try #require(OSUser.named("nobody"))
        chown(root + "/server.key", nobody.uid, nobody.gid)
        try Self.expectRefusal(root, mentioning: [root + "/server.key", "owned by nobody", "chown \(OSUser.current.name)"])
    }

    @Test func expiredCertificate() throws {
        let root = try Self.goodFiles()
        try Self.writeCertificate(root, validFrom: Date().addingTimeInterval(-100 * 86_400), days: 30)
        try Self.expectRefusal(root, mentioning: [root + "/server.crt", "expired on", "generate or import a new certificate"])
    }

    @Test func notYetValidCertificate() throws {
        let root = try Self.goodFiles()
        try Self.writeCertificate(root, validFrom: Date().addingTimeInterval(10 * 86_400), days: 30)
        try Self.expectRefusal(root, mentioning: [root + "/server.crt", "is not valid before", "clock"])
    }

    @Test func noSANForARequestedName() throws {
        let root = try Self.goodFiles()
        try Self.expectRefusal(root, names: ["localhost", "db.example.com"],
                               mentioning: [root + "/server.crt", "no subject alternative name for db.example.com", "--dns db.example.com"])
    }

    @Test func encryptedKeyWithoutPassphraseCommand() throws {
        let root = try Self.goodFiles()
        // A passphrase-protected copy of the same key (the passphrase is a test fixture).
        try ProcessRunner.checked("openssl", ["pkey", "-in", root + "/server.key", "-aes256", "-passout", "pass:fixture-passphrase",
                                              "-out", root + "/server.key.enc"])
        try FileManager.default.removeItem(atPath: root + "/server.key")
        try FileManager.default.moveItem(atPath: root + "/server.key.enc", toPath: root + "/server.key")
        chmod(root + "/server.key", 0o600)
        try Self.expectRefusal(root, mentioning: [root + "/server.key", "passphrase-protected", "set ssl_passphrase_command"])
    }

    @Test func rsa1024Key() throws {
        let root = try Self.goodFiles()
        try ProcessRunner.checked("openssl", ["req", "-x509", "-newkey", "rsa:1024", "-nodes", "-subj", "/CN=localhost",
                                              "-addext", "subjectAltName=DNS:localhost", "-days", "30",
                                              "-keyout", root + "/server.key", "-out", root + "/server.crt"])
        chmod(root + "/server.key", 0o600)
        try FileManager.default.removeItem(atPath: root + "/root.crt")
        try FileManager.default.copyItem(atPath: root + "/server.crt", toPath: root + "/root.crt")
        let run = try Wizard.run(["certs", "inspect", "--cert", root + "/server.crt", "--key", root + "/server.key",
                                  "--names", "localhost", "--server-user", OSUser.current.name])
        #expect(run.exitCode == 2)
        // Both files carry the weak key; each is named with the fix.
        #expect(run.stdout.contains("certificate file \(root)/server.crt has an RSA 1024-bit key, too weak"), "\(run.stdout)")
        #expect(run.stdout.contains("private key file \(root)/server.key has an RSA 1024-bit key"))
        #expect(run.stdout.contains("generate RSA 3072 or ECDSA P-256"))
    }

    @Test func dryRunWritesNothing() throws {
        let root = try Self.goodFiles()
        let before = TestEnvironment.fingerprint(root)
        for mode in ["--ca", "--self-signed", "--csr"] {
            let run = try Wizard.run(["certs", "generate", mode, "--dns", "localhost", "--out", root, "--ca-dir", root + "/ca2",
                                      "--dry-run"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stdout.contains(root + "/server.key  private key  mode 0600"), "\(run.stdout)")
            #expect(!run.stdout.contains("BEGIN"))
        }
        #expect(TestEnvironment.fingerprint(root) == before)
        #expect(!FileManager.default.fileExists(atPath: root + "/ca2"))
    }

    @Test func replacingKeepsATimestampedBackup() throws {
        let root = try Self.goodFiles()
        let oldKey = try String(contentsOfFile: root + "/server.key", encoding: .utf8)
        let run = try Wizard.run(["certs", "generate", "--self-signed", "--dns", "localhost", "--out", root])
        #expect(run.exitCode == 0)
        let backups = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("server.key.bak-") }
        #expect(backups.count == 1)
        #expect(try String(contentsOfFile: root + "/" + backups[0], encoding: .utf8) == oldKey)
        var info = stat()
        stat(root + "/" + backups[0], &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func caInsideADataDirectoryIsRefused() throws {
        let root = try Self.goodFiles()
        try "15\n".write(toFile: root + "/PG_VERSION", atomically: true, encoding: .utf8)
        let before = TestEnvironment.fingerprint(root)
        let run = try Wizard.run(["certs", "generate", "--ca", "--dns", "localhost", "--out", root, "--ca-dir", root + "/myca"])
        #expect(run.exitCode == 3)
        #expect(run.stderr.contains("inside a data directory"))
        #expect(TestEnvironment.fingerprint(root) == before)
    }
}
