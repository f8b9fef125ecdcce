import Executor
import Foundation
import HostIO
import Sandbox

/// A CA and a server certificate for localhost / 127.0.0.1 / ::1, made with
/// the openssl command line: an oracle independent of our Certificates module.
public struct TestCertificate: Sendable {
    public let directory: String
    public var caPath: String { directory + "/ca.crt" }
    public var certificatePath: String { directory + "/server.crt" }
    public var keyPath: String { directory + "/server.key" }

    public static func make(in directory: String, owner: OSUser, commonName: String = "localhost",
                            days: Int = 365) throws -> TestCertificate {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chown(directory, owner.uid, owner.gid)
        let certificate = TestCertificate(directory: directory)
        let openssl = "openssl"
        try ProcessRunner.checked(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                            "-nodes", "-keyout", directory + "/ca.key", "-out", certificate.caPath,
                                            "-days", String(days), "-subj", "/CN=pg-ssl-wizard test CA"])
        let extensions = directory + "/san.ext"
        try "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try ProcessRunner.checked(openssl, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                            "-keyout", certificate.keyPath, "-out", directory + "/server.csr",
                                            "-subj", "/CN=\(commonName)"])
        try ProcessRunner.checked(openssl, ["x509", "-req", "-in", directory + "/server.csr", "-CA", certificate.caPath,
                                            "-CAkey", directory + "/ca.key", "-CAcreateserial", "-out", certificate.certificatePath,
                                            "-days", String(days), "-extfile", extensions])
        for file in [certificate.certificatePath, certificate.keyPath, certificate.caPath] {
            chown(file, owner.uid, owner.gid)
        }
        chmod(certificate.keyPath, 0o600)
        return certificate
    }
}
