import ClusterFacts
import Enforcement
import Foundation

/// Everything a run keeps about itself between effects: the state machine,
/// what the cluster looked like before, and the evidence the audit report
/// needs. Saved (0600, atomically) before every change and at every
/// verified step (see RunDriver), so `resume` and `rollback` work after a kill -9. Never holds file contents: the planned
/// pg_hba.conf is staged next to the original and referenced by path and hash.
public struct RunRecord: Codable, Hashable, Sendable {
    public var run: String
    public var startedAt: Date
    /// The operator's connection, passwords removed.
    public var connection: String
    public var state: RunState
    /// Planned file -> its staged candidate (same owner, 0600, next to it).
    public var staged: [String: String]
    /// Planned file -> SHA-256 of the candidate.
    public var candidateHashes: [String: String]
    public var before: ClusterEvidence
    public var after: ClusterEvidence?
    /// Names clients use, for the verify-full connection strings.
    public var clientNames: [String]
    public var port: Int
    public var milestones = Milestones()
    public var terminated: [TerminatedSession] = []
    /// 18: logins in progress under the old rules that the run ended (nil in records from before they were kept).
    public var endedLogins: [EndedLogin]?
    public var confirmation: ConfirmationEvidence?
    /// `rollback` ran after the run ended.
    public var rolledBackAt: Date?
    /// The options that shape how the run carries its effects out, kept so
    /// that `resume` (or a reopened wizard) honours them (nil in records from
    /// before they were kept: the defaults then).
    public var options: RunOptions?

    public init(run: String, startedAt: Date, connection: String, state: RunState, staged: [String: String],
                candidateHashes: [String: String], before: ClusterEvidence, clientNames: [String], port: Int) {
        self.run = run
        self.startedAt = startedAt
        self.connection = connection
        self.state = state
        self.staged = staged
        self.candidateHashes = candidateHashes
        self.before = before
        self.clientNames = clientNames
        self.port = port
    }
}

/// `--grace` and `--standby-wait` as the run was started with.
public struct RunOptions: Codable, Hashable, Sendable {
    public var graceSeconds: Int
    public var standbyWaitSeconds: Int

    public init(graceSeconds: Int, standbyWaitSeconds: Int) {
        self.graceSeconds = graceSeconds
        self.standbyWaitSeconds = standbyWaitSeconds
    }

    /// The options a run has when none are given (and in records from before they were kept).
    public static let defaults = RunOptions(graceSeconds: RunContext.defaultGraceSeconds, standbyWaitSeconds: 60)

    var journalDetail: [String: String] { ["grace_seconds": String(graceSeconds), "standby_wait_seconds": String(standbyWaitSeconds)] }
}

/// When the run crossed the points the exposure window is measured between.
public struct Milestones: Codable, Hashable, Sendable {
    /// Phase B's reload was sent: from here new sessions meet the hostssl rules.
    public var hostsslLiveAt: Date?
    /// When the postmaster loaded the hostssl rules, in seconds since 1970 by
    /// the server's clock (`pg_conf_load_time()` of a session forked after
    /// it): a login that began earlier meets the old rules. Absent when this
    /// run did not load them, and in records from before it was kept.
    public var hostsslLoadedAt: Double?
    /// No planned non-SSL backend was left (terminated or gone by themselves).
    public var lastPlainGoneAt: Date?
    public var finishedAt: Date?
    /// When each step began applying and ended (verified or failed), by
    /// machine name; absent in records written before they were kept.
    public var stepStarted: [String: Date]?
    public var stepEnded: [String: Date]?

    public init() {}

    /// Seconds each completed step took, by machine name.
    public var stepSeconds: [String: Double] {
        var seconds: [String: Double] = [:]
        for (step, start) in stepStarted ?? [:] {
            if let end = stepEnded?[step] { seconds[step] = max(0, end.timeIntervalSince(start)) }
        }
        return seconds
    }

    /// hostssl live -> last non-SSL backend gone: the time plain sessions
    /// admitted under the old rules could still talk.
    public var exposureWindowSeconds: Double? {
        guard let live = hostsslLiveAt, let gone = lastPlainGoneAt else { return nil }
        return max(0, gone.timeIntervalSince(live))
    }
}

/// The cluster at one moment: what the report compares before and after.
public struct ClusterEvidence: Codable, Hashable, Sendable {
    public var takenAt: Date
    public var counts: SessionCounts
    public var tlsVersions: [String: Int]
    /// ssl, ssl_min_protocol_version, ssl_cert_file, ssl_key_file, ssl_ca_file.
    public var settings: [String: String]
    /// Path -> SHA-256 (pg_hba.conf, postgresql.auto.conf, certificate files).
    public var fileHashes: [String: String]
    public var certificateNotAfter: Date?

    public init(takenAt: Date, counts: SessionCounts, tlsVersions: [String: Int], settings: [String: String],
                fileHashes: [String: String], certificateNotAfter: Date?) {
        self.takenAt = takenAt
        self.counts = counts
        self.tlsVersions = tlsVersions
        self.settings = settings
        self.fileHashes = fileHashes
        self.certificateNotAfter = certificateNotAfter
    }
}

public struct TerminatedSession: Codable, Hashable, Sendable {
    public var pid: Int32
    public var user: String?
    public var applicationName: String?
    public var clientAddress: String?
    public var walsender: Bool
    public var at: Date
    /// pg_stat_activity.state when it was signalled; nil in records written before it was kept.
    public var state: BackendActivity?
    /// Whether ending it cut a transaction in half (nil: not known).
    public var cutInsideTransaction: Bool?
    /// How long its transaction had been open, when it was cut inside one.
    public var transactionSeconds: Double?
    /// false: signalled, but the step failed before it was seen gone and no
    /// later look could tell (the server out of reach). nil: seen gone, and
    /// in records written before this was kept, which listed only those.
    public var exitConfirmed: Bool?

    public init(pid: Int32, user: String?, applicationName: String?, clientAddress: String?, walsender: Bool, at: Date,
                state: BackendActivity? = nil, cutInsideTransaction: Bool? = nil, transactionSeconds: Double? = nil) {
        self.pid = pid
        self.user = user
        self.applicationName = applicationName
        self.clientAddress = clientAddress
        self.walsender = walsender
        self.at = at
        self.state = state
        self.cutInsideTransaction = cutInsideTransaction
        self.transactionSeconds = transactionSeconds
    }

    init(_ ending: SessionEnding) {
        self.init(pid: ending.pid, user: ending.user, applicationName: ending.applicationName, clientAddress: ending.clientAddress,
                  walsender: ending.walsender, at: ending.at, state: ending.walsender ? nil : ending.activity,
                  cutInsideTransaction: ending.cutInsideTransaction, transactionSeconds: ending.transactionSeconds)
    }
}

/// What the confirm step saw.
public struct ConfirmationEvidence: Codable, Hashable, Sendable {
    public var plainTCPSessions: Int
    public var plainLoopbackSessions: Int
    public var tlsVersions: [String: Int]
    /// The live sslmode=disable test: "refused: <server message>", "admitted", or why it could not run.
    public var negativeTest: String
    /// The verify-full test with the known CA, when there is one.
    public var verifyFull: String?
    public var problems: [String]
    /// Terminated clients back over SSL by the confirmation ("user@address (application)"): `prefer` clients that moved.
    public var movedToSSL: [String]? = nil
    /// Terminated clients not back over SSL (yet): pinned to plain text, or not reconnected.
    public var notBackOverSSL: [String]? = nil

    public init(plainTCPSessions: Int, plainLoopbackSessions: Int, tlsVersions: [String: Int], negativeTest: String,
                verifyFull: String?, problems: [String]) {
        self.plainTCPSessions = plainTCPSessions
        self.plainLoopbackSessions = plainLoopbackSessions
        self.tlsVersions = tlsVersions
        self.negativeTest = negativeTest
        self.verifyFull = verifyFull
        self.problems = problems
    }
}
