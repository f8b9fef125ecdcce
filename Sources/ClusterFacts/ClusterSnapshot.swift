import Foundation

/// Everything read off a cluster at one moment. The planner, the status
/// verdict and the screens work on this value; nothing here does I/O.
public struct ClusterSnapshot: Hashable, Sendable, Codable {
    public var takenAt: Date
    public var server: ServerFacts
    public var privileges: Privileges
    public var own: OwnSession
    /// Every `ssl*` row of `pg_settings`, plus the few others the plan needs.
    public var settings: [Setting]
    /// `pg_file_settings` rows (all of them when readable, else empty).
    public var fileSettings: [FileSetting]
    /// `pg_hba_file_rules`; nil when the role may not read the view.
    public var hbaRules: [HBAFileRule]?
    public var sessions: [Session]
    public var fileAccess: FileAccess

    public init(takenAt: Date, server: ServerFacts, privileges: Privileges, own: OwnSession,
                settings: [Setting], fileSettings: [FileSetting], hbaRules: [HBAFileRule]?,
                sessions: [Session], fileAccess: FileAccess) {
        self.takenAt = takenAt
        self.server = server
        self.privileges = privileges
        self.own = own
        self.settings = settings
        self.fileSettings = fileSettings
        self.hbaRules = hbaRules
        self.sessions = sessions
        self.fileAccess = fileAccess
    }

    public func setting(_ name: String) -> Setting? { settings[named: name] }

    /// The TLS key exchange groups the server offers (`Array<Setting>.keyExchangeGroups`).
    public var keyExchangeGroups: Setting? { settings.keyExchangeGroups }

    /// `ssl` as the server reports it. Not proof that TLS works
    /// (docs/POSTGRES.md, "SSL initialisation and reload").
    public var sslSettingOn: Bool { settings.sslOn }

    /// Errors in configuration files; any of them blocks a reload's GUC changes.
    public var fileSettingErrors: [FileSetting] { fileSettings.filter { $0.error != nil } }

    /// Client sessions other than the observer's own.
    public var otherClientSessions: [Session] {
        sessions.filter { $0.isClient && $0.pid != own.pid }
    }

    /// TCP connections still authenticating (18): not sessions yet, and of unknown encryption.
    public var tcpAttempts: [Session] { sessions.filter { $0.isTCPAttempt && $0.pid != own.pid } }

    /// It began before the last configuration load, so it meets the rules
    /// loaded before, which may admit it in plain text. Unknown times count as before.
    public func beganBeforeLastLoad(_ session: Session) -> Bool {
        guard let began = session.backendStart, let loaded = server.confLoadTime else { return true }
        return began < loaded
    }
}
