import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PostgresClient
import SQLCatalogue

/// `pg_reload_conf()` only sends SIGHUP and always returns true (docs/POSTGRES.md,
/// "Reload and its failure modes"),
/// so a reload counts as taken only on server-side evidence: a new session,
/// forked after it, reports a later `pg_conf_load_time()`, and pg_hba.conf
/// is byte for byte what it was when the reload was sent, with a clean parse
/// by the server itself (`pg_hba_file_rules` re-reads the file on disk).
///
/// The server log is never read for this: any client can put "was not
/// reloaded" into it as a user or database name, with or without a line
/// break of its own (docs/SECURITY.md, "Log injection").
public enum ReloadProof {
    public enum Outcome: Hashable, Sendable {
        /// With the postmaster's new load time (seconds since 1970, the
        /// server's clock), as the first session forked after it reports it.
        case taken(loadedAt: Double)
        case notTaken(String)
    }

    /// `probe` is how new sessions connect (after phase B: with SSL). With
    /// `hba`, the pg_hba.conf the reload loads: its bytes must be the same
    /// after the reload as before it, and the server's own parse of them
    /// clean, or the server kept its previous rules.
    public static func reload(_ connection: Connection, probe: ConnectionTarget, hba: (path: String, version: ServerVersion)? = nil,
                              timeoutSeconds: Double = 10) throws(PostgresError) -> Outcome {
        let before = try loadTime(connection)
        let hbaBefore = hba.flatMap { HostFile.sha256($0.path) }
        _ = try connection.query(SQLText.reload)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var moved: Double?
        var lastError = ""
        while Date() < deadline {
            do {
                let fresh = try Connection.connect(probe, timeoutSeconds: 5)
                defer { fresh.close() }
                let loaded = try loadTime(fresh)
                if loaded > before { moved = loaded; break }
            } catch {
                lastError = operatorMessage(for: error)
            }
            // The postmaster re-reads on SIGHUP in its own time, usually within a millisecond or two.
            Thread.sleep(forTimeInterval: 0.005)
        }
        if let hba {
            if HostFile.sha256(hba.path) != hbaBefore {
                return .notTaken("\(hba.path) changed on disk while the server reloaded: the rules it loaded are not the ones checked")
            }
            let problems = try PreReloadChecks.serverParseProblems(connection, version: hba.version)
            if !problems.isEmpty {
                return .notTaken("the server's own parse of \(hba.path) fails, so it kept its previous rules: " + problems.joined(separator: "; "))
            }
        }
        guard let moved else {
            return .notTaken("no new session saw a later pg_conf_load_time() within \(Int(timeoutSeconds)) s" + (lastError.isEmpty ? "" : " (\(lastError))"))
        }
        return .taken(loadedAt: moved)
    }

    static func loadTime(_ connection: Connection) throws(PostgresError) -> Double {
        try connection.query(SQLText.confLoadTime).rows.first?.optionalDouble("t") ?? 0
    }
}
