import Certificates
import Executor
import Foundation
import HostIO

/// Certificate files for a sandbox that starts with SSL on: a local CA and a
/// server certificate for localhost / 127.0.0.1 / ::1, valid `days` days,
/// written as the server's own files (server.crt, server.key 0600, root.crt).
enum SandboxCertificates {
    static func install(_ cluster: LocalCluster, days: Int) throws(SandboxError) {
        do {
            let now = Date()
            let caKey = try CertificateFactory.makeKey(.ecdsaP256)
            let ca = try CertificateFactory.certificateAuthority(commonName: "pg-ssl-wizard practice CA", key: caKey, validityDays: 30, now: now)
            let key = try CertificateFactory.makeKey(.ecdsaP256)
            let request = CertificateRequest(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"], keyKind: .ecdsaP256, validityDays: days)
            let server = try CertificateFactory.serverCertificate(request, key: key, issuer: (ca, caKey), now: now)
            let writer = AtomicFileWriter(stamp: AtomicFileWriter.timestamp())
            let owner = cluster.owner.fileOwner
            _ = try writer.write(Array(try PEMEncoding.privateKey(key).utf8), to: cluster.dataDirectory + "/server.key", mode: 0o600, owner: owner, backup: nil)
            _ = try writer.write(Array(try PEMEncoding.certificate(server).utf8), to: cluster.dataDirectory + "/server.crt", mode: 0o644, owner: owner, backup: nil)
            _ = try writer.write(Array(try PEMEncoding.certificate(ca).utf8), to: cluster.dataDirectory + "/root.crt", mode: 0o644, owner: owner, backup: nil)
        } catch {
            throw .setupFailed("could not make the sandbox's certificates: \(error)")
        }
    }
}
