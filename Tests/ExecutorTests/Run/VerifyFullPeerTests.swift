import Foundation
@testable import Executor
import HostIO
import Testing
import TestSupport

/// The confirmation's verify-full test connects to a listen address with the
/// CA clients will use. A CA signs more than one server: another listener
/// on that address with a certificate from the same CA for the same name
/// passes libpq's checks, and is still not the server. Before, it counted as
/// "verified".
struct VerifyFullPeerTests {
    @Test func anotherServerOfTheSameCAIsNotTheServerVerified() async throws {
        try await TestCluster.with { server in
            let certificate = try server.enableSSL()
            try server.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 trust\n")
            try server.reload()
            let proven = try DeadManPeerTests.served(server)
            try await TestCluster.with { impostor in
                // The same CA, the same names, another key.
                let other = impostor.local.root + "/same-ca"
                try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
                try ProcessRunner.checked("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                      "-keyout", other + "/server.key", "-out", other + "/server.csr", "-subj", "/CN=localhost"])
                try ProcessRunner.checked("openssl", ["x509", "-req", "-in", other + "/server.csr", "-CA", certificate.caPath,
                                                      "-CAkey", certificate.directory + "/ca.key", "-CAcreateserial", "-out", other + "/server.crt",
                                                      "-days", "30", "-extfile", certificate.directory + "/san.ext"])
                for file in [other, other + "/server.crt", other + "/server.key"] { chown(file, impostor.local.owner.uid, impostor.local.owner.gid) }
                chmod(other + "/server.key", 0o600)
                try impostor.sql("ALTER SYSTEM SET ssl_cert_file = '\(other)/server.crt'")
                try impostor.sql("ALTER SYSTEM SET ssl_key_file = '\(other)/server.key'")
                try impostor.sql("ALTER SYSTEM SET ssl = on")
                try impostor.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 trust\n")
                try impostor.reload()
                try impostor.waitFor("TLS") { (try? DeadManPeerTests.served(impostor)) != nil }

                let connection = try server.superuserConnection()
                defer { connection.close() }
                let atTheServer = try DeadManPeerTests.runner(server, connection).verifyFullTest(caPath: certificate.caPath, names: ["localhost"], proven: proven)
                #expect(atTheServer?.hasPrefix("verified as localhost") == true, "\(atTheServer ?? "")")
                let elsewhere = try DeadManPeerTests.runner(server, connection, port: impostor.port)
                    .verifyFullTest(caPath: certificate.caPath, names: ["localhost"], proven: proven)
                #expect(elsewhere?.hasPrefix("no name verified") == true && elsewhere?.contains("is not the server's") == true, "\(elsewhere ?? "")")
            }
        }
    }
}
