import Foundation

/// Identity and file locations of a running cluster.
public struct ServerFacts: Hashable, Sendable, Codable {
    public var version: ServerVersion
    public var versionString: String
    /// `pg_control_system().system_identifier`: names the cluster in the
    /// journal and the state directory, stable across restarts.
    public var systemIdentifier: String
    public var dataDirectory: String
    public var configFile: String
    public var hbaFile: String
    public var identFile: String
    public var listenAddresses: String
    public var port: Int
    public var confLoadTime: Date?
    public var postmasterStartTime: Date?
    /// `true` for a hot standby.
    public var inRecovery: Bool

    public init(version: ServerVersion, versionString: String, systemIdentifier: String,
                dataDirectory: String, configFile: String, hbaFile: String, identFile: String,
                listenAddresses: String, port: Int, confLoadTime: Date?, postmasterStartTime: Date?,
                inRecovery: Bool) {
        self.version = version
        self.versionString = versionString
        self.systemIdentifier = systemIdentifier
        self.dataDirectory = dataDirectory
        self.configFile = configFile
        self.hbaFile = hbaFile
        self.identFile = identFile
        self.listenAddresses = listenAddresses
        self.port = port
        self.confLoadTime = confLoadTime
        self.postmasterStartTime = postmasterStartTime
        self.inRecovery = inRecovery
    }
}

/// What the connected role may do, as far as the wizard cares.
public struct Privileges: Hashable, Sendable, Codable {
    public var role: String
    public var isSuperuser: Bool
    /// Member of `pg_read_all_stats` (or `pg_monitor`): sees every session's SSL state.
    public var readAllStats: Bool
    /// Member of `pg_read_all_settings`: sees setting sources and files.
    public var readAllSettings: Bool
    /// Member of `pg_signal_backend`: may terminate other roles' sessions.
    public var signalBackend: Bool

    enum CodingKeys: String, CodingKey {
        case role
        case isSuperuser = "is_superuser", readAllStats = "read_all_stats"
        case readAllSettings = "read_all_settings", signalBackend = "signal_backend"
    }

    public init(role: String, isSuperuser: Bool, readAllStats: Bool, readAllSettings: Bool,
                signalBackend: Bool) {
        self.role = role
        self.isSuperuser = isSuperuser
        self.readAllStats = readAllStats
        self.readAllSettings = readAllSettings
        self.signalBackend = signalBackend
    }

    /// Privileges still needed to audit every session, in the words of the GRANT that fixes it.
    public var missingForAudit: [String] {
        isSuperuser || readAllStats ? [] : ["pg_read_all_stats"]
    }
}

/// Whether this program can see the server's files, i.e. runs on its host.
public struct FileAccess: Hashable, Sendable, Codable {
    /// `hba_file` could be read.
    public var hbaReadable: Bool
    /// `global/pg_control` under the data directory carries the same system
    /// identifier as the server: the files are that cluster's, not a namesake's.
    public var sameHostVerified: Bool
    /// Why the files are not usable, in words for the operator; nil when fine.
    public var problem: String?
    /// Why pg_hba.conf and its backup could not be written next to it
    /// (read-only file system, no permission, no room); nil when they can.
    public var hbaWriteProblem: String?

    public init(hbaReadable: Bool, sameHostVerified: Bool, problem: String?, hbaWriteProblem: String? = nil) {
        self.hbaReadable = hbaReadable
        self.sameHostVerified = sameHostVerified
        self.problem = problem
        self.hbaWriteProblem = hbaWriteProblem
    }
}
