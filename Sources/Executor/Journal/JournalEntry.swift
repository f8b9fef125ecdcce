import Enforcement
import Foundation
import HostIO

/// One line of a run's journal. Effects and events are described by name
/// and plain fields; file contents appear only as hashes and sizes (a
/// pg_hba.conf may hold an LDAP bind password), never as bytes.
public struct JournalEntry: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable { case effect, event, note }

    public var at: Date
    public var run: String
    public var sequence: Int
    public var kind: Kind
    public var name: String
    public var detail: [String: String]
    /// Fingerprints before and after (file hashes, setting values).
    public var before: [String: String]?
    public var after: [String: String]?
    public var backup: String?

    public init(at: Date = Date(), run: String, sequence: Int, kind: Kind, name: String, detail: [String: String] = [:],
                before: [String: String]? = nil, after: [String: String]? = nil, backup: String? = nil) {
        self.at = at
        self.run = run
        self.sequence = sequence
        self.kind = kind
        self.name = name
        self.detail = detail
        self.before = before
        self.after = after
        self.backup = backup
    }
}

/// The journal's words for effects and events.
public enum JournalDescription {
    public static func effect(_ effect: Effect) -> (name: String, detail: [String: String]) {
        switch effect {
        case .checkPreflight(let id): return ("check_preflight", ["system_identifier": id])
        case .fixKeyPermissions(let fix): return ("fix_key_permissions", ["path": fix.path, "mode": String(fix.mode, radix: 8), "owner": fix.owner])
        case .installCertificates(let replacement):
            return ("install_certificates", ["mode": replacement.mode.rawValue, "files": replacement.files.map(\.path).joined(separator: ",")])
        case .checkCertificates(let expected): return ("check_certificates", expected.map { ["expected_fingerprint": $0] } ?? [:])
        case .runSQL(let statements): return ("run_sql", ["statements": statements.joined(separator: ";\n")])
        case .checkBeforeReload(let phase): return ("check_before_reload", ["phase": phase.rawValue])
        case .checkCandidateHBA: return ("check_candidate_hba", [:])
        case .reload(let phase): return ("reload", ["phase": phase.rawValue])
        case .restart: return ("restart", [:])
        case .probeTLS(let expected): return ("probe_tls", expected.map { ["expected_fingerprint": $0] } ?? [:])
        case .reconnectWithSSL: return ("reconnect_with_ssl", [:])
        case .writeFile(let write):
            return ("write_file", ["path": write.path, "sha256": FileDigest.sha256(write.contents), "bytes": String(write.contents.count)])
        case .openTestConnection(let seconds): return ("open_test_connection", ["timeout_seconds": String(seconds)])
        case .armWatchdog(let seconds): return ("arm_watchdog", ["seconds": String(seconds)])
        case .startKeepCountdown(let seconds): return ("start_keep_countdown", ["seconds": String(seconds)])
        case .standDownWatchdog: return ("stand_down_watchdog", [:])
        case .terminate(let pids, let timeout):
            return ("terminate", ["pids": pids.map(String.init).joined(separator: ","), "timeout_ms": timeout.map(String.init) ?? "none"])
        case .awaitStandbys(let names): return ("await_standbys", ["standbys": names.joined(separator: ",")])
        case .confirmEnforcement(let expectation): return ("confirm_enforcement", ["minimum_tls": expectation.minimumTLS])
        case .writeAuditReport(let outcome): return ("write_audit_report", ["outcome": "\(outcome)"])
        case .restoreFile(let path): return ("restore_file", ["path": path])
        case .restoreCertificates: return ("restore_certificates", [:])
        case .verifyRollback(let restored): return ("verify_rollback", ["restored": restored.joined(separator: ",")])
        }
    }

    public static func event(_ event: RunEvent) -> (name: String, detail: [String: String]) {
        let text = "\(event)"
        let name = String(text.prefix { $0 != "(" })
        return (name, text.contains("(") ? ["event": text] : [:])
    }
}
