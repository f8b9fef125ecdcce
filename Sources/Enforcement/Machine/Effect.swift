/// What the executor must do next, as a value: tests compare these, the
/// journal records them, a resumed run re-issues the current stage's.
public enum Effect: Hashable, Sendable, Codable {
    /// Re-check that the cluster is the planned one and nothing moved since the plan.
    case checkPreflight(systemIdentifier: String)
    case fixKeyPermissions(KeyPermissionFix)
    case installCertificates(CertificateReplacement)
    /// Read the installed files back: cert and key match, key mode, expiry.
    case checkCertificates(expectedFingerprint: String?)
    case runSQL([String])
    /// `pg_file_settings` has no error (and, for phase B, the file on disk is still the checked candidate).
    case checkBeforeReload(Phase)
    /// Our parse of the pg_hba.conf on disk and the server's (`pg_hba_file_rules`).
    case checkCandidateHBA
    case reload(Phase)
    case restart
    /// A new `sslmode=require` connection; its handshake must serve this certificate.
    case probeTLS(expectedFingerprint: String?)
    /// Replace the wizard's own plain connection by an SSL one.
    case reconnectWithSSL
    case writeFile(FileWrite)
    /// The dead-man check: a NEW connection the way the operator connects, with SSL.
    case openTestConnection(timeoutSeconds: Int)
    /// Start the revert watchdog, acting `seconds` from now unless told otherwise.
    case armWatchdog(seconds: Int)
    /// The countdown starts now: the watchdog's deadline becomes `seconds` from now.
    case startKeepCountdown(seconds: Int)
    /// Tell the watchdog to stand down and wait until it has.
    case standDownWatchdog
    /// End those of the planned pids still exposed when the statement runs
    /// (plain-text TCP, or TLS below the floor): one that reconnected with SSL
    /// has another pid, and a pid now held by an encrypted session is spared.
    case terminate(pids: [Int32], timeoutMilliseconds: Int?)
    /// Wait until these standbys stream again, over SSL.
    case awaitStandbys([String])
    case confirmEnforcement(ConfirmationExpectation)
    case writeAuditReport(RunOutcome)
    /// Put back the backup taken when the file was written.
    case restoreFile(path: String)
    case restoreCertificates
    /// The end of the operator's rollback: these files match their backups and the SSL settings are back to their values from before the run.
    case verifyRollback(restoredFiles: [String])
}

extension Effect {
    /// Whether the effect only looks: it reads the server or the host and
    /// changes neither (the wizard's own connection aside; on 18 the
    /// confirmation also ends logins still in progress under the old rules,
    /// against the boundary the record keeps). Repeating one after a crash
    /// is harmless, which is why the executor need not save the run before
    /// each of them, only before the next effect that changes something
    /// (docs/DESIGN.md, "Resume and rollback").
    public var onlyObserves: Bool {
        switch self {
        case .checkPreflight, .checkCertificates, .checkBeforeReload, .checkCandidateHBA, .probeTLS, .reconnectWithSSL,
             .openTestConnection, .awaitStandbys, .confirmEnforcement, .verifyRollback:
            return true
        case .fixKeyPermissions, .installCertificates, .runSQL, .reload, .restart, .writeFile, .armWatchdog, .startKeepCountdown,
             .standDownWatchdog, .terminate, .writeAuditReport, .restoreFile, .restoreCertificates:
            return false
        }
    }
}
