import ClusterFacts
import Enforcement
import Foundation
import PostgresClient
import SQLCatalogue

/// The observation window (docs/POSTGRES.md, "Plain text while SSL was
/// offered is a choice"): once SSL is offered, a client that still connects
/// in plain text has sslmode=disable or allow (or a driver without TLS),
/// and the rewrite will refuse it. Watches for such connections, looking
/// every 50 ms, so a connection that lasts less than that can be missed
/// (the server log, when it logs connections, has those).
public enum PlainClientObservation {
    static let interval = 0.05

    /// The server's time from which SSL counts as offered: its last configuration load (phase A's reload), or now.
    public static func sslOfferedSince(_ connection: Connection, fromLastReload: Bool) throws(PostgresError) -> String {
        let row = try connection.query(SQLText.sslOfferedSince).rows.first
        return try (fromLastReload ? row?.string("loaded") : row?.string("now")) ?? ""
    }

    /// Watches `seconds` for plain-text TCP sessions that started at or after `since` (server time);
    /// `progress` hears the clients seen so far after each look.
    public static func watch(_ connection: Connection, seconds: Double, since: String,
                             progress: ([LoggedClient]) -> Void = { _ in }) throws(PostgresError) -> [LoggedClient] {
        let deadline = Date().addingTimeInterval(seconds)
        var seen: [String: (client: LoggedClient, pids: Set<Int32>)] = [:]
        var order: [String] = []
        repeat {
            let rows = try connection.query(SQLText.plainSessionsSince, [since]).rows
            let now = Date()
            for row in rows {
                let pid = try row.int32("pid")
                let walsender = try row.optionalString("backend_type") == "walsender"
                let database = walsender ? nil : try row.optionalString("datname")
                let client = LoggedClient(user: try row.optionalString("usename") ?? "", database: database,
                                          address: try row.optionalString("client_address"),
                                          applicationName: try row.optionalString("application_name") ?? "", encryption: .plain,
                                          replication: walsender, plainWhileSSLOffered: true)
                let key = [client.user, client.database ?? "", client.address ?? "", client.applicationName].joined(separator: "\u{1}")
                var entry = seen[key] ?? { order.append(key); return (client, []) }()
                if !entry.pids.contains(pid) {
                    entry.pids.insert(pid)
                    entry.client.connections += 1
                    entry.client.firstSeen = entry.client.firstSeen ?? now
                }
                entry.client.lastSeen = now
                seen[key] = entry
            }
            progress(order.compactMap { seen[$0]?.client })
            if Date() < deadline { Thread.sleep(forTimeInterval: interval) }
        } while Date() < deadline
        return order.compactMap { seen[$0]?.client }
    }
}
