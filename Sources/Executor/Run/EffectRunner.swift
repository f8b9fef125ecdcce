import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PostgresClient
import SQLCatalogue

/// Carries out one effect against the real server and files and answers
/// with the event the state machine expects. Failures become failure
/// events, never thrown: the state machine decides what happens next.
public final class EffectRunner: @unchecked Sendable {
    /// What happened, with the fingerprints the journal keeps.
    public struct Performed: Sendable {
        public var event: RunEvent
        public var after: [String: String]?
        public var backup: String?
        /// What the driver keeps in the run record besides the event.
        public var evidence: EffectEvidence

        init(_ event: RunEvent, after: [String: String]? = nil, backup: String? = nil, evidence: EffectEvidence = .none) {
            self.event = event
            self.after = after
            self.backup = backup
            self.evidence = evidence
        }
    }

    public let context: RunContext
    /// The wizard's own session: replaced by an SSL one after phase A when it was plain, and after a restart.
    public internal(set) var connection: Connection
    let installer: ServerFileInstaller
    /// The cluster's state directory: the audit report, key backups, the watchdog's files.
    let stateDirectory: StateDirectory
    /// The run's journal: backups are recorded there before the file they keep is replaced.
    public var journal: Journal?
    /// The run's lock: a copy goes to the watchdog, which then holds the run too.
    public var lock: RunLock?
    /// The watchdog this process started, reaped once it stands down.
    var watchdogChild: ChildProcess?
    /// The watchdog putting the old pg_hba.conf back: its reload of the saved
    /// run's hostssl phase is a revert, which opens no exposure window and
    /// ends no connection.
    public var reverting = false
    /// Hears the terminate step's every look while it waits for transaction
    /// boundaries (the wizard's live count); never run state.
    public var terminationProgress: (@Sendable (TerminationProgress) -> Void)?

    public init(context: RunContext, connection: Connection, stateDirectory: StateDirectory) {
        self.context = context
        self.connection = connection
        self.stateDirectory = stateDirectory
        installer = ServerFileInstaller(writer: AtomicFileWriter(stamp: context.stamp))
    }

    /// Carries `effect` out for the run `record` describes (read, never written:
    /// what the effect saw comes back in `Performed.evidence`).
    public func perform(_ effect: Effect, record: RunRecord) -> Performed {
        switch effect {
        case .checkPreflight(let id): return checkPreflight(systemIdentifier: id)
        case .fixKeyPermissions(let fix): return fixKeyPermissions(fix)
        case .installCertificates(let replacement): return installCertificates(replacement)
        case .checkCertificates(let expected): return checkCertificates(expected, plan: record.state.plan)
        case .restoreCertificates: return restoreCertificates(record.state.plan.certificates)
        case .runSQL(let statements): return runSQL(statements)
        case .checkBeforeReload(let phase): return checkBeforeReload(phase, plan: record.state.plan)
        case .checkCandidateHBA: return checkCandidateHBA()
        case .reload(let phase):
            let back = record.state.isRollingBack || reverting
            // The window opens when the server is told to load the hostssl rules, not when the proof comes back.
            let live = phase == .hostsslRules && !back ? Date() : nil
            var performed = reload(phase, rollingBack: back)
            performed.evidence.hostsslLiveAt = live
            return performed
        case .restart: return restart()
        case .probeTLS(let expected): return probeTLS(expected)
        case .reconnectWithSSL: return reconnectWithSSL()
        case .writeFile(let write): return writeFile(write)
        case .restoreFile(let path): return restoreFile(path)
        case .verifyRollback(let restored): return verifyRollback(restored: restored, record: record)
        case .openTestConnection(let seconds): return openTestConnection(timeoutSeconds: seconds, proven: record.state.expectedFingerprint)
        case .armWatchdog(let seconds): return armWatchdog(seconds: seconds)
        case .startKeepCountdown(let seconds): return startKeepCountdown(seconds: seconds, state: record.state)
        case .standDownWatchdog: return standDownWatchdog(state: record.state)
        case .terminate(let pids, let timeout): return terminate(pids, timeoutMilliseconds: timeout, record: record)
        case .awaitStandbys(let names): return awaitStandbys(names)
        case .confirmEnforcement(let expectation): return confirm(expectation, record: record)
        case .writeAuditReport(let outcome): return writeReport(outcome, record: record)
        }
    }

    func checkPreflight(systemIdentifier: String) -> Performed {
        do {
            if let problem = try Self.preflightProblem(connection, systemIdentifier: systemIdentifier) { return Performed(.preflightFailed(problem)) }
            return Performed(.preflightPassed)
        } catch {
            return Performed(.preflightFailed(operatorMessage(for: error)))
        }
    }

    /// Why a run cannot go on over `connection`, or nil: it reaches the
    /// plan's cluster, a primary, as a superuser.
    static func preflightProblem(_ connection: Connection, systemIdentifier: String) throws(PostgresError) -> String? {
        let row = try connection.query(SQLText.preflight).rows.first
        let id = try row?.string("id") ?? ""
        if id != systemIdentifier { return "connected to cluster \(id), but the plan is for \(systemIdentifier)" }
        if try row?.bool("recovery") == true { return "the server is a standby (in recovery); run the wizard on the primary" }
        if try row?.bool("superuser") != true {
            return "the role \(connection.user) is not a superuser: ALTER SYSTEM, pg_reload_conf and terminating superuser sessions need one"
        }
        return nil
    }

    /// Fingerprints of what an effect touches, for the journal's before/after.
    public func fingerprint(_ effect: Effect, plan: RunPlan) -> [String: String]? {
        switch effect {
        case .writeFile(let write): return Self.hashes([write.path])
        case .restoreFile(let path): return Self.hashes([path])
        case .installCertificates(let replacement): return Self.hashes(replacement.files.map(\.path))
        case .fixKeyPermissions(let fix): return Self.hashes([fix.path])
        case .restoreCertificates:
            switch plan.certificates {
            case .create(let replacement): return Self.hashes(replacement.files.map(\.path))
            case .fixKeyPermissions(let fix): return Self.hashes([fix.path])
            case nil: return nil
            }
        case .runSQL, .reload, .restart: return settingsFingerprint()
        default: return nil
        }
    }

    static func hashes(_ paths: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for path in paths {
            guard HostFile.kind(path) != nil else { result[path] = "absent"; continue }
            do {
                let file = try HostFile.open(path)
                let digest = (try? FileDigest.sha256(file.bytes())) ?? "unreadable"
                result[path] = "sha256:\(digest) mode:\(String(file.identity.mode, radix: 8)) uid:\(file.identity.uid)"
            } catch {
                result[path] = "not a regular file"
            }
        }
        return result
    }

    static let sslSettings = ["ssl", "ssl_min_protocol_version", "ssl_cert_file", "ssl_key_file", "ssl_ca_file"]
    /// The same names as a text[] parameter.
    static let sslSettingsArray = "{" + sslSettings.joined(separator: ",") + "}"

    /// Live values, the values ALTER SYSTEM wrote (pending a reload), and the configuration load time.
    func settingsFingerprint() -> [String: String]? {
        guard let rows = try? connection.query(SQLText.settingsFingerprint, [Self.sslSettingsArray]).rows else { return nil }
        var result: [String: String] = [:]
        for row in rows { if let key = try? row.string("k") { result[key] = (try? row.optionalString("v")) ?? "" } }
        return result
    }
}

extension RunState {
    /// Undoing: a failed step's phase, or the operator's rollback of the run.
    public var isRollingBack: Bool {
        if case .rollingBack = stage { return true }
        return isBeingRolledBack
    }
}
