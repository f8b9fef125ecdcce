import ClusterFacts
import Foundation

/// `pg-ssl-wizard clients`: every client connected now or seen in the
/// server's log, with what the planned change does to it and the evidence.
public struct ClientInventory: Encodable, Sendable {
    public enum Verdict: String, Encodable, Sendable {
        /// Encrypted already (TLS at or above the floor, or GSS).
        case keepsAccess = "keeps_access"
        /// Plain text today, still admitted by the rewritten rules (the policy keeps it plain).
        case keepsAccessPlain = "keeps_access_plain"
        /// Plain text, refused after the rewrite unless it changes.
        case refused
        /// Plain text while SSL was off: with sslmode=prefer it moves to SSL by itself.
        case mayMoveToSSL = "may_move_to_ssl"
        /// A unix-socket client: TLS does not apply.
        case localSocket = "local_socket"
    }

    public struct Client: Encodable, Sendable {
        public var user: String
        public var database: String
        public var address: String
        public var applicationName: String
        public var encryption: LoggedClient.Encryption
        public var tlsVersion: String?
        public var connectedNow: Int
        public var seenInLog: Int
        public var firstSeen: Date?
        public var lastSeen: Date?
        public var verdict: Verdict
        public var why: String?
        public var fix: String?
    }

    var schema = JSONContract.schema
    public var clients: [Client]
    public var log: ConnectionLogEvidence?

    public init(plan: Plan, input: PlanningInput) {
        struct Key: Hashable { var user, database, address, application: String; var encryption: LoggedClient.Encryption }
        var rows: [Key: Client] = [:]
        var order: [Key] = []
        func row(_ key: Key) -> Client {
            Client(user: key.user, database: key.database, address: key.address, applicationName: key.application, encryption: key.encryption,
                   tlsVersion: nil, connectedNow: 0, seenInLog: 0, firstSeen: nil, lastSeen: nil, verdict: .keepsAccess, why: nil, fix: nil)
        }
        let own = input.snapshot.own.pid
        for session in input.snapshot.sessions where session.isClient && session.pid != own {
            let encryption: LoggedClient.Encryption = session.ssl == true ? .ssl : session.gssEncrypted ? .gss : .plain
            let address = session.transport == .unixSocket ? "[local]" : session.clientAddress ?? ""
            let key = Key(user: session.user ?? "", database: session.database ?? "replication", address: address,
                          application: session.applicationName ?? "", encryption: encryption)
            var entry = rows[key] ?? { order.append(key); return row(key) }()
            entry.connectedNow += 1
            entry.tlsVersion = session.tlsVersion ?? entry.tlsVersion
            rows[key] = entry
        }
        for client in input.connectionLog?.clients ?? [] {
            let key = Key(user: client.user, database: client.database ?? "replication", address: client.address ?? "",
                          application: client.applicationName, encryption: client.encryption)
            var entry = rows[key] ?? { order.append(key); return row(key) }()
            entry.seenInLog += client.connections
            entry.tlsVersion = entry.tlsVersion ?? client.tlsVersion
            entry.firstSeen = [entry.firstSeen, client.firstSeen].compactMap { $0 }.min()
            entry.lastSeen = [entry.lastSeen, client.lastSeen].compactMap { $0 }.max()
            rows[key] = entry
        }
        let refused = plan.impact.refusedClients
        clients = order.compactMap { key -> Client? in
            guard var client = rows[key] else { return nil }
            if client.address == "[local]" {
                client.verdict = .localSocket
            } else if let match = refused.first(where: { $0.user == client.user && $0.database == client.database && $0.address == client.address
                && ($0.cause == .tlsBelowFloor) == (client.encryption == .ssl) }) {
                client.verdict = match.mayMoveToSSL ? .mayMoveToSSL : .refused
                client.why = match.reason
                client.fix = match.fix
            } else if client.encryption == .plain {
                client.verdict = .keepsAccessPlain
            }
            return client
        }.sorted { ($0.verdict.order, $0.user, $0.address) < ($1.verdict.order, $1.user, $1.address) }
        log = input.connectionLog.map { var log = $0; log.clients = []; return log }
    }
}

extension ClientInventory.Verdict {
    /// The ones that need action first.
    var order: Int {
        switch self {
        case .refused: return 0
        case .mayMoveToSSL: return 1
        case .keepsAccessPlain: return 2
        case .keepsAccess: return 3
        case .localSocket: return 4
        }
    }

    public var text: String {
        switch self {
        case .keepsAccess: return "keeps access"
        case .keepsAccessPlain: return "keeps access, plain"
        case .refused: return "REFUSED after the change"
        case .mayMoveToSSL: return "moves to SSL if prefer"
        case .localSocket: return "unix socket"
        }
    }
}

extension ClientInventory {
    public func json() -> String { ReportJSON.text(self) }

    public func text() -> String {
        var lines: [String] = []
        let rows = clients.map { client in
            [client.user, client.database, client.address, client.applicationName,
             client.encryption == .ssl ? (client.tlsVersion ?? "SSL") : client.encryption.rawValue,
             client.connectedNow == 0 ? "-" : String(client.connectedNow), client.seenInLog == 0 ? "-" : String(client.seenInLog),
             client.lastSeen.map(JSONTime.text) ?? "-", client.verdict.text]
        }
        lines += TextTable(header: ["USER", "DATABASE", "ADDRESS", "APPLICATION", "WIRE", "NOW", "IN LOG", "LAST SEEN IN LOG", "AFTER THE CHANGE"], rows: rows).render()
        for client in clients where client.verdict == .refused || client.verdict == .mayMoveToSSL {
            lines.append("")
            lines.append("\(client.user)@\(client.database) from \(client.address)\(client.applicationName.isEmpty ? "" : " (\(client.applicationName))"):")
            if let why = client.why { lines.append("  why: \(why)") }
            if let fix = client.fix { lines.append("  fix: \(fix)") }
        }
        if let log {
            lines.append("")
            lines.append(log.files.isEmpty ? "server log: none read" : "server log: \(log.connectionLines) connection line(s) in \(log.files.joined(separator: ", "))"
                         + (log.since.map { " since \(JSONTime.text($0))" } ?? ""))
            lines += log.limits.map { "server log: \($0.text)" }
        } else {
            lines.append("")
            lines.append("server log: not read (the wizard is not on the database host; pass --log FILE)")
        }
        return lines.joined(separator: "\n")
    }
}
