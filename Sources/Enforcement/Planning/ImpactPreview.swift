import ClusterFacts
import HBA

/// Who the change touches: sessions to terminate, clients that will be
/// refused, walsenders and what their standbys need. Each plain TCP session
/// is matched as a plain attempt against the rewritten rules; verdicts are
/// cached per distinct attempt (many sessions share one).
struct ImpactPreview {
    let snapshot: ClusterSnapshot
    let current: Matcher
    let candidate: Matcher
    let options: PlanOptions
    /// TLS works today: a client still plain chose it (sslmode disable/allow).
    let tlsOfferedToday: Bool

    func impact() -> Impact {
        var cache = MatchCache(current: current, candidate: candidate)
        var terminate: [Session] = []
        var spared: [SparedSession] = []
        var refused: [RefusedKey: RefusedClient] = [:]
        var order: [RefusedKey] = []
        var walsenders: [WalsenderImpact] = []
        var unknownSSL = 0
        let own = snapshot.own

        for session in snapshot.sessions where session.isClient && session.pid != own.pid && session.transport == .tcp {
            guard let ssl = session.ssl else { unknownSSL += 1; continue }
            let attempt = Self.attempt(for: session, ssl: false)
            if session.isWalsender {
                walsenders.append(walsender(session, ssl: ssl, cache: &cache))
            }
            guard !ssl, !session.gssEncrypted, let attempt else { continue }
            let after = cache.candidate(attempt)
            if after.outcome == .accepted {
                spared.append(SparedSession(pid: session.pid, reason: "the new rules still admit it without SSL (line \(after.lineNumber ?? 0))"))
                continue
            }
            let key = RefusedKey(user: session.user ?? "", database: session.database ?? "replication",
                                 address: session.clientAddress ?? "", application: session.applicationName ?? "")
            if refused[key] == nil {
                order.append(key)
                let before = cache.current(attempt)
                refused[key] = RefusedClient(
                    user: key.user, database: key.database, address: key.address, applicationName: key.application, sessions: 0,
                    rule: before.decidingRule.map { "\($0.file):\($0.lineNumber)" },
                    mayMoveToSSL: !tlsOfferedToday,
                    fix: tlsOfferedToday
                        ? "it connected without SSL although the server offers it: set sslmode=require (or prefer) in that client's connection settings"
                        : "SSL was off when it connected: with libpq's default sslmode=prefer it moves to SSL by itself; only clients with sslmode=disable or allow stay refused")
            }
            refused[key]?.sessions += 1
            if isOperators(session) && !options.terminateOperatorSessions {
                spared.append(SparedSession(pid: session.pid, reason: "your own session (same user and address as this connection, or --operator-pid); terminated only with --terminate-own-sessions"))
                continue
            }
            terminate.append(session)
        }
        return Impact(terminate: terminate, spared: spared, refusedClients: order.compactMap { refused[$0] },
                      walsenders: walsenders, unknownSSL: unknownSSL)
    }

    func isOperators(_ session: Session) -> Bool {
        if options.operatorPIDs.contains(session.pid) { return true }
        let own = snapshot.own
        return own.transport == .tcp && session.user == own.user && session.clientAddress == own.clientAddress
    }

    func walsender(_ session: Session, ssl: Bool, cache: inout MatchCache) -> WalsenderImpact {
        let kind: ConnectionAttempt.Replication = session.database == nil ? .physical : .logical
        let admitted = Self.attempt(for: session, ssl: true).map { cache.candidate($0).outcome == .accepted } ?? false
        let needs: String
        if ssl {
            needs = "already on SSL; nothing to do"
        } else if !admitted {
            needs = "the new rules admit no \(kind.rawValue) replication for \(session.user ?? "?") from \(session.clientAddress ?? "?") even with SSL: add a hostssl line for it before the change"
        } else if tlsOfferedToday {
            needs = "it streams without SSL although SSL is offered: its primary_conninfo says sslmode=disable (or its root.crt fails); set sslmode=require there and reload the standby, or it will not come back after the termination"
        } else {
            needs = "after termination it reconnects within wal_retrieve_retry_interval; with the default sslmode=prefer it comes back over SSL"
        }
        return WalsenderImpact(pid: session.pid, standby: session.applicationName ?? "", address: session.clientAddress ?? "",
                               user: session.user ?? "", ssl: ssl, kind: kind, admittedWithSSL: admitted, needs: needs)
    }

    /// The attempt a session would make again; nil when its address is not an IP.
    static func attempt(for session: Session, ssl: Bool) -> ConnectionAttempt? {
        guard let text = session.clientAddress, let address = IPAddress(numeric: text) else { return nil }
        let replication: ConnectionAttempt.Replication = session.isWalsender ? (session.database == nil ? .physical : .logical) : .none
        return ConnectionAttempt(transport: .tcp(address), ssl: ssl, gssEncrypted: false, database: session.database ?? "replication",
                                 user: session.user ?? "", replication: replication)
    }

    struct RefusedKey: Hashable {
        var user, database, address, application: String
    }
}

/// Match results per distinct attempt, for the current and the rewritten rules.
struct MatchCache {
    let currentMatcher: Matcher
    let candidateMatcher: Matcher
    var currentResults: [ConnectionAttempt: MatchResult] = [:]
    var candidateResults: [ConnectionAttempt: MatchResult] = [:]

    init(current: Matcher, candidate: Matcher) {
        currentMatcher = current
        candidateMatcher = candidate
    }

    mutating func current(_ attempt: ConnectionAttempt) -> MatchResult {
        if let hit = currentResults[attempt] { return hit }
        let result = currentMatcher.match(attempt, tracing: false)
        currentResults[attempt] = result
        return result
    }

    mutating func candidate(_ attempt: ConnectionAttempt) -> MatchResult {
        if let hit = candidateResults[attempt] { return hit }
        let result = candidateMatcher.match(attempt, tracing: false)
        candidateResults[attempt] = result
        return result
    }
}
