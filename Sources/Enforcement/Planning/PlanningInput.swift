import ClusterFacts
import HBA
import Foundation

/// Everything the planner reasons about, gathered at the edges (libpq,
/// files, the certificate inspection). The planner itself does no I/O.
public struct PlanningInput: Sendable {
    public var snapshot: ClusterSnapshot
    /// What a real `sslmode=require` handshake showed (`SHOW ssl` is not proof).
    public var tls: TLSObservation
    public var hba: HBAInput
    public var build: BuildFeatures
    public var certificates: CertificateFacts
    /// Role memberships for `+group` / `samerole`; nil when not read.
    public var roles: RoleFacts?
    /// The server's interfaces for `samehost` / `samenet`; nil when unknown.
    public var interfaces: [NetworkInterface]?
    /// The server's interface names (IPv6 zones); nil when unknown.
    public var interfaceNames: Set<String>?
    public var options: PlanOptions
    /// What the server's log shows of clients (`log_connections`); nil when not read.
    public var connectionLog: ConnectionLogEvidence?
    /// Clients seen connecting in plain text during an observation window while SSL was offered.
    public var observedPlainClients: [LoggedClient] = []

    public init(snapshot: ClusterSnapshot, tls: TLSObservation, hba: HBAInput, build: BuildFeatures = .typicalLinux,
                certificates: CertificateFacts, roles: RoleFacts? = nil, interfaces: [NetworkInterface]? = nil,
                interfaceNames: Set<String>? = nil, options: PlanOptions = PlanOptions()) {
        self.interfaceNames = interfaceNames
        self.snapshot = snapshot
        self.tls = tls
        self.hba = hba
        self.build = build
        self.certificates = certificates
        self.roles = roles
        self.interfaces = interfaces
        self.options = options
    }

    var version: ServerVersion { snapshot.server.version }
}

/// The result of a real TLS handshake against the server.
public struct TLSObservation: Hashable, Sendable, Codable {
    public var availability: TLSAvailability
    /// SHA-256 fingerprint of the certificate the server served, when a handshake completed.
    public var servedFingerprint: String?

    public init(availability: TLSAvailability, servedFingerprint: String? = nil) {
        self.availability = availability
        self.servedFingerprint = servedFingerprint
    }

    public var works: Bool { availability == .offered }
}

/// The pg_hba.conf as found on the database host, or why it is not.
public enum HBAInput: Sendable {
    /// The file's bytes, and a reader for the files it includes.
    case readable(bytes: [UInt8], files: any FileSource)
    /// The program cannot read the server's files (not on the database host).
    case unreadable(reason: String)
}

/// Role names and memberships (`pg_auth_members`), for `+group` and `samerole`.
public struct RoleFacts: Hashable, Sendable, Codable {
    public var roles: Set<String>
    /// role -> its direct members.
    public var members: [String: Set<String>]

    public init(roles: Set<String>, members: [String: Set<String>]) {
        self.roles = roles
        self.members = members
    }
}

/// The state of the server's certificate, key and CA, as the certificate
/// inspection judged them, and what the operator chose to do about it.
public struct CertificateFacts: Hashable, Sendable, Codable {
    public enum Condition: String, Hashable, Sendable, Codable {
        /// Present, matching, readable by the server, valid today.
        case usable
        case missing
        case broken
    }

    public var condition: Condition
    public var certificatePath: String
    public var keyPath: String
    /// `ssl_ca_file`: the CA the server trusts for client certificates.
    public var caPath: String?
    /// That CA also signed the server's certificate, so clients can verify
    /// the server with it; often it did not (docs/POSTGRES.md, "The client CA").
    public var caVerifiesServer: Bool = false
    /// The certificate's subject and expiry, when one could be read.
    public var subject: String?
    public var notAfter: Date?
    /// SHA-256 fingerprint of the certificate on disk (the one phase A must see served).
    public var fingerprint: String?
    /// Errors (operator-facing text), the reason for `broken`.
    public var problems: [String]
    /// Warnings that do not stop SSL (names, expiry soon).
    public var warnings: [String]
    /// The key's mode or owner is the only problem: fixable without new files.
    public var keyPermissionFix: KeyPermissionFix?
    /// New files the operator chose to create (certs generate); nil when none.
    public var replacement: CertificateReplacement?

    public init(condition: Condition, certificatePath: String, keyPath: String, caPath: String? = nil,
                fingerprint: String? = nil, problems: [String] = [], warnings: [String] = [],
                keyPermissionFix: KeyPermissionFix? = nil, replacement: CertificateReplacement? = nil) {
        self.condition = condition
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.caPath = caPath
        self.fingerprint = fingerprint
        self.problems = problems
        self.warnings = warnings
        self.keyPermissionFix = keyPermissionFix
        self.replacement = replacement
    }
}

public struct KeyPermissionFix: Hashable, Sendable, Codable {
    public var path: String
    public var currentMode: UInt32
    public var currentOwner: String
    public var mode: UInt32
    public var owner: String

    public init(path: String, currentMode: UInt32, currentOwner: String, mode: UInt32 = 0o600, owner: String) {
        self.path = path
        self.currentMode = currentMode
        self.currentOwner = currentOwner
        self.mode = mode
        self.owner = owner
    }
}

/// Certificate files to create and the settings that point the server at them.
public struct CertificateReplacement: Hashable, Sendable, Codable {
    /// What a file is for: the executor puts each generated file at its role's path.
    public enum Role: String, Hashable, Sendable, Codable {
        case serverKey = "server_key", serverCertificate = "server_certificate", rootCertificate = "root_certificate"
        case authorityKey = "ca_key", authorityCertificate = "ca_certificate"
    }

    public struct File: Hashable, Sendable, Codable {
        public var role: Role
        public var path: String
        public var purpose: String
        public var mode: UInt32
        public var owner: String?
        public var isSecret: Bool

        public init(role: Role, path: String, purpose: String, mode: UInt32, owner: String?, isSecret: Bool) {
            self.role = role
            self.path = path
            self.purpose = purpose
            self.mode = mode
            self.owner = owner
            self.isSecret = isSecret
        }
    }

    public var mode: CertificateSource
    public var names: [String]
    public var files: [File]
    /// `ssl_cert_file`, `ssl_key_file` values (never `ssl_ca_file`: that is the client CA).
    public var settings: [String: String]

    public init(mode: CertificateSource, names: [String], files: [File], settings: [String: String]) {
        self.mode = mode
        self.names = names
        self.files = files
        self.settings = settings
    }

    public func path(of role: Role) -> String? { files.first { $0.role == role }?.path }
}

/// The operator's choices.
public struct PlanOptions: Hashable, Sendable, Codable {
    public var rewritePolicy: RewritePolicy
    /// The floor for `ssl_min_protocol_version`.
    public var minimumTLS: String
    /// Terminate the operator's other sessions too (same user, same address).
    public var terminateOperatorSessions: Bool
    /// The operator's interactive sessions (their psql), by pid.
    public var operatorPIDs: [Int32]
    /// Identities that must keep access (`--must-keep`).
    public var mustKeep: [ProtectedIdentity]
    /// `pg_terminate_backend(pid, timeout)` wait, 14+.
    public var terminateTimeoutMilliseconds: Int
    /// Bound of the dead-man check after phase B.
    public var deadManSeconds: Int
    /// Which server log the inventory reads; nil: the server's own, when it logs connections.
    public var connectionLog: ConnectionLogRequest? = nil

    public init(rewritePolicy: RewritePolicy = RewritePolicy(), minimumTLS: String = "TLSv1.2",
                terminateOperatorSessions: Bool = false, operatorPIDs: [Int32] = [], mustKeep: [ProtectedIdentity] = [],
                terminateTimeoutMilliseconds: Int = 5000, deadManSeconds: Int = 10) {
        self.rewritePolicy = rewritePolicy
        self.minimumTLS = minimumTLS
        self.terminateOperatorSessions = terminateOperatorSessions
        self.operatorPIDs = operatorPIDs
        self.mustKeep = mustKeep
        self.terminateTimeoutMilliseconds = terminateTimeoutMilliseconds
        self.deadManSeconds = deadManSeconds
    }
}

/// Bad planning input: one message saying what is wrong and what to do.
public enum PlanInputError: Error, Hashable, Sendable {
    case badMustKeep(spec: String, problem: String)
    case badMinimumTLS(String)
    case operatorPIDNotFound(Int32)
}

extension PlanInputError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .badMustKeep(let spec, let problem):
            return "--must-keep \"\(spec)\": \(problem); write it as \"user=NAME addr=IP|local [dbname=DB] [sslmode=MODE] [sslcert=yes|no] [gssencmode=MODE] [replication=physical|logical]\""
        case .badMinimumTLS(let value):
            return "--min-tls \(value) is not TLSv1.2 or TLSv1.3; the wizard never lowers the floor below TLSv1.2"
        case .operatorPIDNotFound(let pid):
            return "--operator-pid \(pid) is not a client session on this server; check pg_stat_activity for the pid of your session"
        }
    }
}
