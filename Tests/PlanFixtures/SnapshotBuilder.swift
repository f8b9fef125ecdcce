import ClusterFacts
import Enforcement
import Foundation
import HBA

/// Snapshots as values, shaped like what the inspector reads from a PostgreSQL 16 server
/// (shared by the planner's tests and the wizard's screen tests).
public struct SnapshotBuilder {
    public var sslOn = false
    public var ownTransport: Transport = .unixSocket
    public var ownAddress: String?
    public var ownSSL = false
    public var ownSSLMode = "prefer"
    public var superuser = true
    public var sessions: [Session] = []
    public var settings: [Setting] = []
    public var fileSettings: [FileSetting] = []
    public var hbaRules: [HBAFileRule]? = [HBAFileRule(lineNumber: 2, type: "local", database: ["all"], userName: ["all"], address: nil, netmask: nil, authMethod: "trust", options: nil, error: nil)]
    public var version = ServerVersion(major: 16, minor: 4)

    public init() {}

    public static let hba = """
        # TYPE  DATABASE  USER  ADDRESS  METHOD
        local   all       all            trust
        host    all       all   127.0.0.1/32  trust
        host    all       all   10.0.0.0/8    scram-sha-256
        host    replication replicator 10.0.0.0/8 scram-sha-256

        """

    public func snapshot() -> ClusterSnapshot {
        var all = [
            Setting(name: "ssl", value: sslOn ? "on" : "off", context: "sighup", source: sslOn ? "configuration file" : "default"),
            Setting(name: "ssl_min_protocol_version", value: "TLSv1.2", context: "sighup", source: "default"),
            Setting(name: "ssl_cert_file", value: "server.crt", context: "sighup", source: "default"),
            Setting(name: "ssl_key_file", value: "server.key", context: "sighup", source: "default"),
            Setting(name: "ssl_ca_file", value: "", context: "sighup", source: "default"),
        ]
        for setting in settings { all.removeAll { $0.name == setting.name }; all.append(setting) }
        let own = OwnSession(pid: 500, user: "postgres", database: "postgres", transport: ownTransport,
                             host: ownTransport == .tcp ? ownAddress ?? "" : "/run/postgresql", port: "5432", serverAddress: nil,
                             clientAddress: ownAddress, ssl: ownSSL, tlsProtocol: ownSSL ? "TLSv1.3" : nil, cipher: nil, keyBits: nil,
                             gssEncrypted: false, sslMode: ownSSLMode)
        let ownRow = Session(pid: 500, backendType: "client backend", user: "postgres", database: "postgres", applicationName: "pg-ssl-wizard",
                             clientAddress: ownAddress, clientPort: ownTransport == .tcp ? 40000 : -1, ssl: ownSSL)
        return ClusterSnapshot(
            takenAt: Date(timeIntervalSince1970: 1_800_000_000),
            server: ServerFacts(version: version, versionString: "PostgreSQL \(version)", systemIdentifier: "7000",
                                dataDirectory: "/data", configFile: "/data/postgresql.conf", hbaFile: "/data/pg_hba.conf",
                                identFile: "/data/pg_ident.conf", listenAddresses: "*", port: 5432, confLoadTime: nil,
                                postmasterStartTime: nil, inRecovery: false),
            privileges: Privileges(role: superuser ? "postgres" : "app", isSuperuser: superuser, readAllStats: true, readAllSettings: true,
                                   signalBackend: false),
            own: own, settings: all, fileSettings: fileSettings, hbaRules: hbaRules, sessions: [ownRow] + sessions,
            fileAccess: FileAccess(hbaReadable: true, sameHostVerified: true, problem: nil))
    }

    public static func client(_ pid: Int32, user: String = "app", database: String? = "app", address: String, ssl: Bool,
                       application: String = "app", walsender: Bool = false) -> Session {
        Session(pid: pid, backendType: walsender ? "walsender" : "client backend", user: user, database: database,
                applicationName: application, clientAddress: address, clientPort: 50000, ssl: ssl)
    }

    public func input(hba: String = SnapshotBuilder.hba, tlsWorks: Bool? = nil, certificates: CertificateFacts = SnapshotBuilder.usableCertificate,
               options: PlanOptions = PlanOptions()) -> PlanningInput {
        let works = tlsWorks ?? sslOn
        return PlanningInput(snapshot: snapshot(),
                             tls: TLSObservation(availability: works ? .offered : .notProbed("ssl is off"), servedFingerprint: works ? "AA" : nil),
                             hba: .readable(bytes: Array(hba.utf8), files: InMemoryFiles()), certificates: certificates,
                             roles: RoleFacts(roles: ["postgres", "app", "replicator", "monitor"], members: [:]),
                             interfaces: [], options: options)
    }

    public static let usableCertificate = CertificateFacts(condition: .usable, certificatePath: "/data/server.crt", keyPath: "/data/server.key",
                                                    fingerprint: "AA")
}
