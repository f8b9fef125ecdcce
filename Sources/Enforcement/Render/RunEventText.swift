/// One line per event, in the operator's words: the `apply` progress and
/// the wizard's log pane. (The journal keeps the exact values.)
extension RunEvent {
    public var summary: String {
        if let text = watchdogSummary { return text }
        switch self {
        case .confirmed(let through): return "confirmed every planned step through \(through.title)"
        case .stop: return "stopped by the operator"
        case .rollbackRequested: return "the operator rolls the run back"
        case .keepChanges: return "the operator keeps the changes"
        case .revertChanges: return "the operator reverts the changes"
        case .preflightPassed: return "preflight: same cluster, a primary, a superuser"
        case .preflightFailed(let why): return "preflight failed: \(why)"
        case .certificatesWritten: return "certificate files in place"
        case .certificatesChecked(let fingerprint): return "certificate and key check out (SHA-256 \(fingerprint.prefix(23))...)"
        case .certificatesFailed(let why): return "certificates: \(why)"
        case .sqlSucceeded: return "SQL done"
        case .sqlFailed(let why): return "SQL failed: \(why)"
        case .preReloadChecksPassed: return "checks before the reload passed"
        case .preReloadChecksFailed(let problems): return "checks failed: " + problems.joined(separator: "; ")
        case .reloaded: return "reload taken (a new session sees the new load time)"
        case .reloadNotTaken(let why): return "reload NOT taken: \(why)"
        case .restarted: return "server restarted"
        case .restartFailed(let why): return "restart failed: \(why)"
        case .tlsProven(let fingerprint, let version): return "TLS proven: \(version), serving SHA-256 \(fingerprint.prefix(23))..."
        case .tlsFailed(let why): return "no TLS handshake: \(why)"
        case .reconnectedWithSSL: return "the wizard's own connection is now on SSL"
        case .reconnectFailed(let why): return "could not move the wizard's connection to SSL: \(why)"
        case .fileWritten(let path, let backup): return "wrote \(path)" + (backup.map { " (previous kept as \($0))" } ?? "")
        case .fileWriteFailed(let path, let why): return "could not write \(path): \(why)"
        case .testConnectionSucceeded: return "dead-man check: a new SSL connection got in"
        case .testConnectionFailed(let why): return "dead-man check failed: \(why)"
        case .terminated(let ended, let remaining):
            if !remaining.isEmpty { return "still there after termination: \(remaining.map(String.init).joined(separator: ", "))" }
            return ended.isEmpty ? "no planned session was still exposed" : "terminated \(ended.count); all gone"
        case .standbysStreaming(let missing): return missing.isEmpty ? "standbys stream again over SSL" : "standbys not back over SSL: \(missing.joined(separator: ", "))"
        case .confirmationFindings(let problems): return problems.isEmpty ? "confirmed: no plain TCP session, plain text refused" : "confirm found: " + problems.joined(separator: "; ")
        case .reportWritten(let path): return "audit report: \(path)"
        case .restored(let path): return "restored \(path)"
        case .undoFailed(let why): return "putting back failed: \(why)"
        case .rollbackVerified(let problems):
            return problems.isEmpty ? "rolled back and verified" : "rollback verified with problems: " + problems.joined(separator: "; ")
        case .watchdogArmed, .watchdogFailed, .keepCountdownStarted, .watchdogStoodDown, .watchdogReverted: return ""
        }
    }
}
