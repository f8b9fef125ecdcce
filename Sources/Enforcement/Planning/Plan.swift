import Foundation
import ClusterFacts
import HBA

/// The dry-run result: every file, statement and session the run would
/// touch, the reasons, and whether the lock-out guard blocks it.
public struct Plan: Sendable {
    public var cluster: ClusterIdentity
    public var steps: [PlannedStep]
    public var files: [FileChange]
    public var sql: [PlannedStatement]
    public var reload: ReloadDecision
    public var settingConflicts: [SettingConflict]
    public var impact: Impact
    public var lockout: LockoutVerdict
    /// Problems that stop the run before anything changes (not lock-out).
    public var preflightProblems: [String]
    /// Things the operator should know that change nothing.
    public var notes: [String]
    /// The program cannot write the server's files: they are printed for
    /// the operator to apply by hand (not on the database host).
    public var filesManual: Bool
    /// What the state machine executes.
    public var run: RunPlan
    /// pg_hba.conf belongs to a manager (Patroni, Ansible): the change in its terms; the plan is blocked.
    public var managedConfiguration: ManagedConfiguration? = nil

    public var blocked: Bool { lockout.isBlocked || !preflightProblems.isEmpty }
    public var nothingToDo: Bool { steps.allSatisfy { $0.status == .satisfied } && impact.terminate.isEmpty }

    /// Reasons the plan is blocked, each with the ways out.
    public var blockingReasons: [BlockingReason] {
        preflightProblems.map { BlockingReason(kind: .preflight, text: $0, waysOut: []) }
            + lockout.refusals.map { BlockingReason(kind: .lockout, text: $0.reason, waysOut: $0.waysOut) }
    }
}

public struct ClusterIdentity: Hashable, Sendable, Codable {
    public var systemIdentifier: String
    public var version: String
    public var dataDirectory: String
    public var hbaFile: String
    /// A standby (`pg_is_in_recovery()`): fleets enforce primaries first.
    public var inRecovery: Bool = false
}

public struct BlockingReason: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case preflight, lockout }
    public var kind: Kind
    public var text: String
    public var waysOut: [String]
}

/// One step of the plan: its status (satisfied or planned) and what it does.
public struct PlannedStep: Hashable, Sendable, Codable {
    public var name: StepName
    public var status: StepStatus
    /// One line: why satisfied, or what will be done.
    public var summary: String
    /// The plan's reasoning (kept lines, warnings, what a change takes away).
    public var details: [String]
    /// What inspection found, with its source (StepFindings): a step screen's "Found".
    public var found: [String] = []
}

/// A file the run writes or changes the mode of.
public struct FileChange: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case rewrite, create, permissions
    }

    public var path: String
    public var kind: Kind
    public var step: StepName
    public var purpose: String
    /// `diff -u`; nil for secrets and files whose contents are made at apply time.
    public var diff: String?
    public var mode: UInt32?
    public var owner: String?
}

/// One SQL statement in run order. `check` statements only read.
public struct PlannedStatement: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case change, check }
    public var step: StepName
    public var kind: Kind
    public var text: String
    public var purpose: String
}

/// Reload or restart, decided from `pg_settings.context`.
public struct ReloadDecision: Hashable, Sendable, Codable {
    public enum Action: String, Hashable, Sendable, Codable { case none, reload, restart }
    public var action: Action
    public var why: String
    /// Settings already waiting for a restart (`pending_restart`), unrelated to this plan.
    public var pendingRestart: [String]
}

/// A postgresql.conf assignment that ALTER SYSTEM shadows, or a source that shadows ALTER SYSTEM.
public struct SettingConflict: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// postgresql.conf (or an included file) sets it; ALTER SYSTEM's value wins.
        case shadowedByAlterSystem = "shadowed_by_alter_system"
        /// The command line or an override sets it; ALTER SYSTEM's value is ignored.
        case shadowsAlterSystem = "shadows_alter_system"
    }

    public var kind: Kind
    public var name: String
    public var value: String
    public var source: String
    public var text: String
}

/// Who the change touches.
public struct Impact: Sendable {
    /// Sessions the run terminates (plain TCP, refused by the new rules).
    public var terminate: [Session]
    /// Plain sessions that stay: the operator's own, allowed plain by policy.
    public var spared: [SparedSession]
    /// Distinct clients that connected without SSL and will be refused after the rewrite.
    public var refusedClients: [RefusedClient]
    public var walsenders: [WalsenderImpact]
    /// Sessions whose SSL state the role cannot see.
    public var unknownSSL: Int
    /// Refused sessions that share one client address: a pooler (or an
    /// application's pool), whose server-side TLS is what must change.
    public var pooledGroups: [PooledGroup] = []
}

/// Several refused backends from one client address.
public struct PooledGroup: Hashable, Sendable, Codable {
    public var address: String
    public var sessions: Int
    public var users: [String]
    public var databases: [String]
    /// The pooler named by the sessions' application_name, when one is.
    public var pooler: String?
    public var needs: String
}

public struct SparedSession: Hashable, Sendable, Codable {
    public var pid: Int32
    public var reason: String
}

public struct RefusedClient: Hashable, Sendable, Codable {
    public var user: String
    public var database: String
    public var address: String
    public var applicationName: String
    public var sessions: Int
    /// The rewritten line that admitted it in plain text.
    public var rule: String?
    /// SSL was off when it connected: libpq's default `prefer` moves it to
    /// SSL by itself; only `sslmode=disable` / `allow` clients stay refused.
    public var mayMoveToSSL: Bool
    public var cause: RefusalCause
    /// What the evidence says happens to it, and why.
    public var reason: String
    public var fix: String
    /// Connections the server's log shows for it (cause `seenInLog`).
    public var seenInLog: Int? = nil
    public var lastSeen: Date? = nil
}

/// Why a client connected today will be refused on its next connection.
public enum RefusalCause: String, Hashable, Sendable, Codable {
    /// Plain although the server offered TLS: its sslmode is disable or allow.
    case plainByChoice = "plain_by_choice"
    /// SSL was off when it connected; with prefer it moves to SSL by itself.
    case sslOffToday = "ssl_off_today"
    /// Its SSL attempt meets a line that wants a client certificate it does
    /// not present, so libpq retries in plain text, which the rewrite refuses.
    case certificateFallback = "certificate_fallback"
    /// Its TLS version is below the floor phase A sets.
    case tlsBelowFloor = "tls_below_floor"
    /// Not connected now: the server's log shows it connecting in plain text.
    case seenInLog = "seen_in_log"
    /// Connected in plain text during an observation window while SSL was offered.
    case observedPlain = "observed_plain"
}

public struct WalsenderImpact: Hashable, Sendable, Codable {
    public var pid: Int32
    public var standby: String
    public var address: String
    public var user: String
    public var ssl: Bool
    public var kind: ConnectionAttempt.Replication
    /// Admitted with SSL by the new rules.
    public var admittedWithSSL: Bool
    public var needs: String
}
