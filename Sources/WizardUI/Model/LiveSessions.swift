import ClusterFacts
import Foundation

/// The client sessions as last read (pg_stat_activity + pg_stat_ssl): what
/// the terminate and confirm screens draw their bar and list from.
public struct LiveSessions: Hashable, Sendable {
    public var at: Date
    public var ssl: Int
    public var plainTCP: Int
    public var socket: Int
    public var gssEncrypted: Int
    /// TLS version -> encrypted sessions.
    public var tlsVersions: [String: Int]
    /// Every client pid seen, and the plain-text TCP ones.
    public var pids: Set<Int32>
    public var plainPids: Set<Int32>
    /// When each client backend started (the server's microseconds since 1970), where read.
    public var starts: [Int32: Int64]
    /// The plain-text TCP sessions themselves (at most 200), for the list of
    /// clients that connected in plain text once SSL was offered.
    public var plainClients: [PlainClient]

    public struct PlainClient: Hashable, Sendable {
        public var user: String
        public var database: String
        public var address: String
        public var application: String
        public var backendStart: Date?
    }

    public init(sessions: [Session], at: Date) {
        let clients = sessions.filter(\.isClient)
        self.at = at
        ssl = clients.filter { $0.ssl == true }.count
        plainTCP = clients.filter(\.isPlainTCP).count
        socket = clients.filter { $0.transport == .unixSocket }.count
        gssEncrypted = clients.filter { $0.gssEncrypted && $0.ssl != true }.count
        tlsVersions = TLSVersions.counts(clients)
        pids = Set(clients.map(\.pid))
        plainPids = Set(clients.filter(\.isPlainTCP).map(\.pid))
        starts = clients.reduce(into: [:]) { $0[$1.pid] = $1.backendStartMicroseconds }
        plainClients = clients.filter(\.isPlainTCP).prefix(200).map {
            PlainClient(user: $0.user ?? "", database: $0.database ?? "", address: $0.clientAddress ?? "", application: $0.applicationName ?? "",
                        backendStart: $0.backendStart)
        }
    }

    /// Whether the backend that started at `start` still holds `pid` (in
    /// plain text over TCP, with `plainOnly`): a session that got the
    /// number since is another one. Any backend under the pid when either
    /// start is not known.
    public func holds(_ pid: Int32, startedAt start: Int64?, plainOnly: Bool = false) -> Bool {
        guard (plainOnly ? plainPids : pids).contains(pid) else { return false }
        guard let start, let seen = starts[pid] else { return true }
        return seen == start
    }
}
