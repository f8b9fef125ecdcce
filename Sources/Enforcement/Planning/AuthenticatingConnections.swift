import ClusterFacts

/// Connections 18 listed while they were still authenticating: no user or
/// database yet, so the plan can neither match them against the rules nor
/// protect them, and anyone who reaches the port can make one (a startup
/// packet that never answers the password request). The planner leaves them
/// out of the impact, the inventory and the guard, and says so in one note
/// (docs/POSTGRES.md, "18 lists connections still authenticating").
enum AuthenticatingConnections {
    static func note(_ snapshot: ClusterSnapshot) -> String? {
        let attempts = snapshot.sessions.filter { $0.isClient && $0.isAuthenticating && $0.pid != snapshot.own.pid }
        guard !attempts.isEmpty else { return nil }
        let shown = attempts.prefix(5).map { (session: Session) -> String in
            let origin = session.transport == Transport.tcp ? session.clientAddress ?? "?" : "the unix socket"
            return "pid \(session.pid) from \(origin)" + (session.isWalsender ? " (replication)" : "")
        }
        let more = attempts.count > shown.count ? " and \(attempts.count - shown.count) more" : ""
        return "\(shown.joined(separator: ", "))\(more) \(attempts.count == 1 ? "was" : "were") still authenticating when the plan looked, "
            + "with no user yet: not judged, protected or planned to end. One admitted before the rewrite is found by the confirmation; "
            + "plan again to see it as a client"
    }
}
