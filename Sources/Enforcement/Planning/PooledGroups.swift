import ClusterFacts

/// Refused backends grouped by client address. Several backends from one
/// address are a pooler (or an application's own pool): the server sees the
/// pooler's connections, not its clients', so the client's sslmode changes
/// nothing; the pooler's server-side TLS setting does.
enum PooledGroups {
    static let poolerNames = ["pgbouncer", "pgcat", "odyssey", "pgpool", "supavisor", "pgdog"]

    static func find(_ sessions: [Session]) -> [PooledGroup] {
        var byAddress: [String: [Session]] = [:]
        var order: [String] = []
        for session in sessions {
            let address = session.clientAddress ?? ""
            if byAddress[address] == nil { order.append(address) }
            byAddress[address, default: []].append(session)
        }
        return order.compactMap { address -> PooledGroup? in
            let group = byAddress[address] ?? []
            let named = group.lazy.compactMap { session in
                let name = Array((session.applicationName ?? "").utf8)
                return poolerNames.first { ASCIISearch.contains(name, Array($0.utf8), caseFolded: true) }
            }.first
            guard group.count >= 2 || named != nil else { return nil }
            let what = named.map { "a \($0) (its application_name says so)" } ?? "\(group.count) backends from one address: a connection pooler or an application's pool"
            return PooledGroup(address: address, sessions: group.count,
                               users: Array(Set(group.compactMap(\.user))).sorted(), databases: Array(Set(group.compactMap(\.database))).sorted(),
                               pooler: named,
                               needs: "\(what). If it is a pooler, its connections to this server must use TLS: pgbouncer server_tls_sslmode = require "
                                   + "(verify-full with server_tls_ca_file; before pgbouncer 1.20 the default is disable), pgcat server_tls, Odyssey tls in its storage section; "
                                   + "its clients' sslmode does not reach the server")
        }
    }
}
