/// The wizard's steps, in the documented order. Each depends on every step
/// before it: none is applied before those are verified (or satisfied).
public enum StepName: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
    case preflight
    case certs
    case sslOn = "ssl_on"
    case hbaRewrite = "hba_rewrite"
    case reloadOrRestart = "reload_or_restart"
    case terminateNonSSL = "terminate_non_ssl"
    case confirm

    /// What a person reads (screens, the log, plan text, reports); the raw
    /// value is the machine name JSON and the journal keep.
    public var title: String {
        switch self {
        case .preflight: return "Preflight"
        case .certs: return "Certificates"
        case .sslOn: return "Turn SSL on"
        case .hbaRewrite: return "Require SSL in pg_hba.conf"
        case .reloadOrRestart: return "Reload and check"
        case .terminateNonSSL: return "End plain-text sessions"
        case .confirm: return "Confirm"
        }
    }

    /// One line on what the step does, under its title.
    public var purpose: String {
        switch self {
        case .preflight: return "Preflight checks"
        case .certs: return "Server certificate, key and CA"
        case .sslOn: return "ssl = on (phase A: own reload, proven by a TLS handshake)"
        case .hbaRewrite: return "pg_hba.conf: host -> hostssl"
        case .reloadOrRestart: return "Reload for the new pg_hba.conf (phase B) + dead-man check"
        case .terminateNonSSL: return "Terminate non-SSL TCP sessions and walsenders"
        case .confirm: return "Confirm: pg_stat_ssl, refused plain-text connection, audit report"
        }
    }

    public static func < (a: StepName, b: StepName) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where one step stands: inspect -> satisfied | planned -> confirmed ->
/// applying -> verified | failed -> rolled_back.
public enum StepStatus: String, Hashable, Sendable, Codable {
    case inspect
    case satisfied
    case planned
    case confirmed
    case applying
    case verified
    case failed
    case rolledBack = "rolled_back"

    /// Later steps may run: this one needs nothing more.
    public var isDone: Bool { self == .satisfied || self == .verified }

    /// The statuses this one may move to. The reducer only ever moves along these.
    public var successors: Set<StepStatus> {
        switch self {
        case .inspect: return [.satisfied, .planned]
        case .satisfied: return []
        case .planned: return [.confirmed]
        case .confirmed: return [.applying]
        case .applying: return [.verified, .failed]
        case .verified: return [.rolledBack]
        case .failed: return [.rolledBack]
        case .rolledBack: return []
        }
    }
}
