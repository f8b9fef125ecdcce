import Executor
import Foundation
import HostIO
import Sandbox

/// A Kerberos realm of the test's own (Debian's krb5-kdc), in the lab's
/// server namespace: a KDC on a free port, a service principal for
/// PostgreSQL with its keytab (the server user's, 0600), and users who get a
/// ticket cache with `kinit`. Clients reach it with `environment(for:)`;
/// nothing of the host's Kerberos configuration is read or written.
public final class TestKDC: @unchecked Sendable {
    public static let realm = "PGSW.TEST"
    /// The name clients use for the server: the service principal is postgres/<it>.
    public static let serverName = "pgsw-db"

    public let directory: String
    public let port: Int
    private let namespace: String
    private var process: ChildProcess?

    public var keytab: String { directory + "/server.keytab" }
    var clientConfig: String { directory + "/krb5.conf" }
    var kdcEnvironment: [String: String] { ["KRB5_CONFIG": clientConfig, "KRB5_KDC_PROFILE": directory + "/kdc.conf"] }

    /// Starts a realm whose KDC listens in `namespace`, reached by clients at
    /// `address`; the server's keytab holds postgres/`serverName` and
    /// postgres/NAME for each of `alsoKnownAs` (names a client may use for it).
    public static func start(in namespace: String, reachedAt address: String, serverOwner: OSUser,
                             alsoKnownAs: [String] = []) throws -> TestKDC {
        for tool in ["/usr/sbin/krb5kdc", "/usr/sbin/kdb5_util", "/usr/sbin/kadmin.local", "/usr/bin/kinit"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestEnvironment.Missing(description: "\(tool) is missing (make deps installs krb5-kdc, krb5-admin-server and krb5-user)")
        }
        let directory = try TestEnvironment.scratchDirectory() + "/kdc"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let kdc = TestKDC(directory: directory, port: try FreePort.find(), namespace: namespace)
        try """
            [libdefaults]
              default_realm = \(realm)
              dns_lookup_kdc = false
              dns_lookup_realm = false
              rdns = false
              dns_canonicalize_hostname = false
              udp_preference_limit = 1
            [realms]
              \(realm) = {
                kdc = \(address.contains(":") ? "[\(address)]" : address):\(kdc.port)
              }

            """.write(toFile: kdc.clientConfig, atomically: true, encoding: .utf8)
        try """
            [kdcdefaults]
              kdc_ports = \(kdc.port)
              kdc_tcp_ports = \(kdc.port)
            [realms]
              \(realm) = {
                database_name = \(directory)/principal
                key_stash_file = \(directory)/stash
                acl_file = \(directory)/kadm5.acl
                supported_enctypes = aes256-cts-hmac-sha1-96:normal
              }
            [logging]
              kdc = FILE:\(directory)/kdc.log

            """.write(toFile: directory + "/kdc.conf", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: directory + "/kadm5.acl", contents: Data())
        try ProcessRunner.checked("/usr/sbin/kdb5_util", ["-r", realm, "-P", "pgsw-master-\(UUID().uuidString)", "create", "-s"],
                                  environment: kdc.kdcEnvironment)
        for name in [serverName] + alsoKnownAs {
            try kdc.admin("addprinc -randkey postgres/\(name)")
            try kdc.admin("ktadd -k \(kdc.keytab) postgres/\(name)")
        }
        chown(kdc.keytab, serverOwner.uid, serverOwner.gid)
        chmod(kdc.keytab, 0o600)
        kdc.process = try ProcessRunner.spawn("/usr/sbin/krb5kdc", ["-n"], inNamespace: namespace, environment: kdc.kdcEnvironment,
                                              logFile: directory + "/krb5kdc.out")
        return kdc
    }

    private init(directory: String, port: Int, namespace: String) {
        self.directory = directory
        self.port = port
        self.namespace = namespace
    }

    private func admin(_ query: String) throws {
        try ProcessRunner.checked("/usr/sbin/kadmin.local", ["-r", Self.realm, "-q", query], environment: kdcEnvironment)
    }

    /// A user principal with a ticket in its own cache: the environment a
    /// client process needs to authenticate (and encrypt) with GSSAPI.
    public func ticket(for user: String, in clientNamespace: String) throws -> [String: String] {
        let password = "pw-" + UUID().uuidString
        try admin("addprinc -pw \(password) \(user)")
        let environment = ["KRB5_CONFIG": clientConfig, "KRB5CCNAME": "FILE:\(directory)/cc-\(user)"]
        var lastError = ""
        // The KDC may take a moment to listen.
        for _ in 0..<50 {
            let output = try ProcessRunner.run("/usr/bin/kinit", [user], inNamespace: clientNamespace, environment: environment, input: password + "\n")
            if output.exitCode == 0 { return environment }
            lastError = output.stderr
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestEnvironment.Missing(description: "kinit \(user) failed: \(lastError)")
    }

    public func stop() {
        process?.terminate()
        process = nil
    }

    deinit { stop() }
}
