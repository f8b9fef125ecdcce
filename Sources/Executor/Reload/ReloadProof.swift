import ClusterFacts
import Foundation
import PostgresClient

/// `pg_reload_conf()` only sends SIGHUP and always returns true (reference
/// 4.2), so a reload counts as taken only when a new session, forked after
/// it, reports a later `pg_conf_load_time()` and, where the server log is
/// readable, the log has no "was not reloaded" or "no changes were applied"
/// line since the reload.
public enum ReloadProof {
    public enum Outcome: Hashable, Sendable {
        case taken
        case notTaken(String)
    }

    static let failureMarkers = ["was not reloaded", "contains errors; no changes were applied", "could not load pg_hba.conf"]

    /// `probe` is how new sessions connect (after phase B: with SSL).
    public static func reload(_ connection: Connection, probe: ConnectionTarget, logFile: String?,
                              timeoutSeconds: Double = 10) throws(PostgresError) -> Outcome {
        let before = try loadTime(connection)
        let logOffset = logFile.flatMap(Self.size)
        _ = try connection.query("SELECT pg_reload_conf()")
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var moved = false
        var lastError = ""
        while Date() < deadline {
            do {
                let fresh = try Connection.connect(probe, timeoutSeconds: 5)
                defer { fresh.close() }
                if try loadTime(fresh) > before { moved = true; break }
            } catch {
                lastError = operatorMessage(for: error)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if let logFile, let offset = logOffset, let line = newLines(logFile, from: offset).first(where: { line in
            failureMarkers.contains(where: line.contains)
        }) {
            return .notTaken("the server log says: \(line.trimmingCharacters(in: .whitespaces))")
        }
        guard moved else {
            return .notTaken("no new session saw a later pg_conf_load_time() within \(Int(timeoutSeconds)) s" + (lastError.isEmpty ? "" : " (\(lastError))"))
        }
        return .taken
    }

    static func loadTime(_ connection: Connection) throws(PostgresError) -> Double {
        try connection.query("SELECT extract(epoch FROM pg_conf_load_time())::float8 AS t").rows.first?.optionalDouble("t") ?? 0
    }

    static func size(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
    }

    static func newLines(_ path: String, from offset: UInt64) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
