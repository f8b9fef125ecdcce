import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// What `certs generate` writes, judged by openssl (an independent oracle).
struct OpenSSLOracleTests {
    @Test(arguments: ["rsa3072", "ecdsa-p256"])
    func caSignedFilesVerify(keyType: String) throws {
        let root = try TestEnvironment.scratchDirectory()
        let run = try Wizard.run(["certs", "generate", "--ca", "--dns", "localhost", "--dns", "db.test", "--ip", "127.0.0.1",
                                  "--ip", "::1", "--key-type", keyType, "--out", root + "/out", "--ca-dir", root + "/ca"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let verify = try ProcessRunner.run("openssl", ["verify", "-CAfile", root + "/out/root.crt", "-purpose", "sslserver",
                                                       "-verify_hostname", "db.test", "-verify_ip", "127.0.0.1", root + "/out/server.crt"])
        #expect(verify.stdout.contains("server.crt: OK"), "\(verify.stdout)\(verify.stderr)")
        let text = try ProcessRunner.checked("openssl", ["x509", "-noout", "-text", "-in", root + "/out/server.crt"]).stdout
        #expect(text.contains("DNS:localhost, DNS:db.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"), "\(text)")
        #expect(text.contains("TLS Web Server Authentication"))
        let keyCheck = try ProcessRunner.run("openssl", ["pkey", "-in", root + "/out/server.key", "-noout", "-check"])
        #expect(keyCheck.exitCode == 0 || keyType == "ecdsa-p256", "\(keyCheck.stderr)")
        // The key belongs to the certificate: equal public keys.
        let certificateKey = try ProcessRunner.checked("openssl", ["x509", "-in", root + "/out/server.crt", "-noout", "-pubkey"]).stdout
        let privateKeyPublic = try ProcessRunner.checked("openssl", ["pkey", "-in", root + "/out/server.key", "-pubout"]).stdout
        #expect(certificateKey == privateKeyPublic)
        for key in [root + "/out/server.key", root + "/ca/ca.key"] {
            var info = stat()
            stat(key, &info)
            #expect(info.st_mode & 0o777 == 0o600)
        }
    }

    @Test func selfSignedVerifiesAgainstItself() throws {
        let root = try TestEnvironment.scratchDirectory()
        let run = try Wizard.run(["certs", "generate", "--self-signed", "--dns", "localhost", "--ip", "127.0.0.1", "--out", root])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let verify = try ProcessRunner.run("openssl", ["verify", "-CAfile", root + "/root.crt", "-verify_hostname", "localhost",
                                                       root + "/server.crt"])
        #expect(verify.stdout.contains("OK"), "\(verify.stdout)\(verify.stderr)")
    }

    @Test func signingRequestVerifiesAndAsksForTheNames() throws {
        let root = try TestEnvironment.scratchDirectory()
        let run = try Wizard.run(["certs", "generate", "--csr", "--dns", "db.corp.example", "--ip", "10.1.2.3", "--out", root])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let request = try ProcessRunner.run("openssl", ["req", "-in", root + "/server.csr", "-noout", "-verify", "-text"])
        #expect(request.stdout.contains("DNS:db.corp.example, IP Address:10.1.2.3"), "\(request.stdout)")
        #expect((request.stdout + request.stderr).contains("verify OK"))
        #expect(run.stdout.contains("certs import"))
    }

    /// The CSR round trip: an "enterprise CA" (openssl) signs our request;
    /// import validates and installs it, and refuses a certificate for another key.
    @Test func importValidatesTheSignedCertificate() throws {
        let root = try TestEnvironment.scratchDirectory()
        _ = try Wizard.run(["certs", "generate", "--csr", "--dns", "localhost", "--out", root + "/out"])
        let ca = try TestCertificate.make(in: root + "/corp", owner: OSUser.current)
        try "subjectAltName=DNS:localhost\n".write(toFile: root + "/ext", atomically: true, encoding: .utf8)
        try ProcessRunner.checked("openssl", ["x509", "-req", "-in", root + "/out/server.csr", "-CA", ca.caPath, "-CAkey",
                                              root + "/corp/ca.key", "-CAcreateserial", "-days", "30", "-extfile", root + "/ext",
                                              "-out", root + "/signed.crt"])
        let wrongKey = try Wizard.run(["certs", "import", "--cert", root + "/signed.crt", "--key", ca.keyPath, "--ca", ca.caPath,
                                       "--out", root + "/out", "--names", "localhost"])
        #expect(wrongKey.exitCode == 3)
        #expect(wrongKey.stderr.contains("does not belong to certificate"), "\(wrongKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/out/server.crt"))
        let imported = try Wizard.run(["certs", "import", "--cert", root + "/signed.crt", "--key", root + "/out/server.key",
                                       "--ca", ca.caPath, "--out", root + "/out", "--names", "localhost"])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        let verify = try ProcessRunner.run("openssl", ["verify", "-CAfile", root + "/out/root.crt", root + "/out/server.crt"])
        #expect(verify.stdout.contains("OK"))

        // Installed into another directory, the key comes along (0600), so the pair there matches.
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        let elsewhere = try Wizard.run(["certs", "import", "--cert", root + "/signed.crt", "--key", root + "/out/server.key",
                                        "--out", root + "/data", "--names", "localhost"])
        #expect(elsewhere.exitCode == 0, "\(elsewhere.stderr)")
        #expect(FileManager.default.contents(atPath: root + "/data/server.key") == FileManager.default.contents(atPath: root + "/out/server.key"))
        var info = stat()
        stat(root + "/data/server.key", &info)
        #expect(info.st_mode & 0o777 == 0o600)
        let installedPublic = try ProcessRunner.checked("openssl", ["pkey", "-in", root + "/data/server.key", "-pubout"]).stdout
        let certificatePublic = try ProcessRunner.checked("openssl", ["x509", "-in", root + "/data/server.crt", "-noout", "-pubkey"]).stdout
        #expect(installedPublic == certificatePublic)
    }
}
