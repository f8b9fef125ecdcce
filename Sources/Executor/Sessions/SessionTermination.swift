import ClusterFacts
import Enforcement
import Foundation
import PostgresClient

/// Step 5 on a live server: re-read which planned pids are still plain-text
/// TCP (a session that reconnected with SSL since the plan is spared), end
/// them, and confirm they are gone. Never the caller's own backend, never a
/// unix-socket session: the query itself cannot return those.
public enum SessionTermination {
    /// The planned pids still in plain text, or on a TLS version below the
    /// run's floor (`weakVersions`): refused on their next connection, ended now.
    public static func stillExposed(_ connection: Connection, among pids: [Int32], weakVersions: [String]) throws(PostgresError) -> [Int32] {
        guard !pids.isEmpty else { return [] }
        return try connection.query(SQLText.stillExposedAmong, [pids, weakVersions.joined(separator: ",")]).rows.map { row throws(PostgresError) in try row.int32("pid") }
    }

    /// Terminates `pids` (re-checked first) and returns those still there
    /// after the wait. Every target is signalled at once first: with a
    /// timeout, `pg_terminate_backend(pid, timeout)` polls every 100 ms per
    /// pid, one after another, which alone would stretch the exposure window
    /// to 0.1 s per session. A session still there after a moment gets the
    /// version's wait: `pg_terminate_backend(pid, timeout)` on 14+, polling on 13.
    public static func terminate(_ connection: Connection, _ pids: [Int32], weakVersions: [String], timeoutMilliseconds: Int,
                                 version: ServerVersion) throws(PostgresError) -> [Int32] {
        let targets = try stillExposed(connection, among: pids, weakVersions: weakVersions)
        guard !targets.isEmpty else { return [] }
        _ = try connection.query(SQLText.terminateAll, [targets])
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        var remaining = try waitUntilGone(connection, targets, until: min(deadline, Date().addingTimeInterval(0.5)))
        for pid in remaining {
            _ = try connection.query(SQLText.terminate(pid, timeoutMilliseconds: timeoutMilliseconds, version: version))
        }
        remaining = try waitUntilGone(connection, remaining, until: deadline)
        return remaining
    }

    static func waitUntilGone(_ connection: Connection, _ pids: [Int32], until deadline: Date) throws(PostgresError) -> [Int32] {
        var remaining = try present(connection, pids)
        while !remaining.isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            remaining = try present(connection, remaining)
        }
        return remaining
    }

    static func present(_ connection: Connection, _ pids: [Int32]) throws(PostgresError) -> [Int32] {
        guard !pids.isEmpty else { return [] }
        return try connection.query(SQLText.stillPresent, [pids]).rows
            .map { row throws(PostgresError) in try row.int32("pid") }
    }
}
