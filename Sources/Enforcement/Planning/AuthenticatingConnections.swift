import ClusterFacts

/// TCP connections 18 listed while they were still authenticating: no user,
/// and no encryption shown until admitted, so the plan can neither match them
/// against the rules nor protect them, and anyone who reaches the port can
/// make one (a startup packet, then silence). The planner leaves them out of
/// the impact, the inventory and the guard (`Session.isClient`), and says so
/// in one note; the run ends those still there from before its rewrite's
/// reload (`SQLText.endAttemptsBefore`). docs/POSTGRES.md, "18
/// lists connections still authenticating".
enum AuthenticatingConnections {
    static func note(_ snapshot: ClusterSnapshot) -> String? {
        let attempts = snapshot.tcpAttempts
        guard !attempts.isEmpty else { return nil }
        let shown = attempts.prefix(5).map { "pid \($0.pid) from \($0.clientAddress ?? "?")" + ($0.isWalsender ? " (replication)" : "") }
        let more = attempts.count > shown.count ? " and \(attempts.count - shown.count) more" : ""
        let standby = attempts.contains(where: \.isWalsender)
            ? " A replication one may be a standby reconnecting: check that its primary_conninfo asks for SSL." : ""
        return "TCP login(s) in progress when the plan looked, with no user or encryption shown yet, so not judged or protected: "
            + "\(shown.joined(separator: ", "))\(more). Right after the hostssl reload, and again at the confirmation, the run ends "
            + "the logins begun before it that have been at it for a second (the old rules might admit them in plain text): such a login fails, "
            + "and a retry meets the new rules." + standby
    }
}
