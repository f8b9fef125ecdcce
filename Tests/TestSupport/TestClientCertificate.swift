import Executor
import Foundation
import HostIO

/// A client CA and a client certificate (CN = the role), made with the
/// openssl command line: for servers that authenticate clients by
/// certificate (`cert`, `clientcert=`). Owned by root, key 0600, as libpq
/// running as root accepts it.
public struct TestClientCertificate: Sendable {
    public let directory: String
    public var caPath: String { directory + "/client-ca.crt" }
    public var certificatePath: String { directory + "/client.crt" }
    public var keyPath: String { directory + "/client.key" }

    /// libpq's parameters for presenting this certificate.
    public var conninfo: String { "sslcert=\(certificatePath) sslkey=\(keyPath)" }

    /// A new CA in `directory` and a certificate for `role` signed by it;
    /// with `signedBy`, the certificate is signed by that CA instead (a
    /// certificate the server does not trust).
    public static func make(in directory: String, role: String, signedBy other: (certificate: String, key: String)? = nil) throws -> TestClientCertificate {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let made = TestClientCertificate(directory: directory)
        let caKey = directory + "/client-ca.key"
        if other == nil {
            try ProcessRunner.checked("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                  "-keyout", caKey, "-out", made.caPath, "-days", "30", "-subj", "/CN=pg-ssl-wizard test client CA"])
        }
        try ProcessRunner.checked("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                              "-keyout", made.keyPath, "-out", directory + "/client.csr", "-subj", "/CN=\(role)"])
        try ProcessRunner.checked("openssl", ["x509", "-req", "-in", directory + "/client.csr", "-CA", other?.certificate ?? made.caPath,
                                              "-CAkey", other?.key ?? caKey, "-CAcreateserial", "-out", made.certificatePath, "-days", "30"])
        chmod(made.keyPath, 0o600)
        return made
    }
}
