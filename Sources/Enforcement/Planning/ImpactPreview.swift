import Foundation
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

    /// The `ssl_min_protocol_version` phase A raises the server to; nil when it stays.
    var raisedTLSFloor: String? = nil
    /// Clients the server's log saw; those not connected now are matched like sessions.
    var loggedClients: [LoggedClient] = []
    /// Clients seen connecting in plain text during an observation window while SSL was offered.
    var observedClients: [LoggedClient] = []

    func impact() -> Impact {
        var cache = MatchCache(current: current, candidate: candidate, expected: snapshot.sessions.count)
        var terminate: [Session] = []
        var spared: [SparedSession] = []
        var refused: [RefusedKey: RefusedClient] = [:]
        var order: [RefusedKey] = []
        var walsenders: [WalsenderImpact] = []
        var unknownSSL = 0
        var refusedSessions: [Session] = []
        let own = snapshot.own

        // The words are made once per refused client, not once per session (thousands share a key).
        func count(_ session: Session, _ cause: RefusalCause, rule: String?, reason: @autoclosure () -> String, fix: @autoclosure () -> String) {
            let key = RefusedKey(user: session.user ?? "", database: session.database ?? "replication",
                                 address: session.clientAddress ?? "", application: session.applicationName ?? "", cause: cause)
            if refused[key] == nil {
                order.append(key)
                refused[key] = RefusedClient(user: key.user, database: key.database, address: key.address, applicationName: key.application,
                                             sessions: 0, rule: rule, mayMoveToSSL: cause == .sslOffToday, cause: cause, reason: reason(), fix: fix())
            }
            refused[key]?.sessions += 1
        }

        for session in snapshot.sessions where session.isClient && session.pid != own.pid && session.transport == .tcp {
            guard let ssl = session.ssl else { unknownSSL += 1; continue }
            let attempt = Self.attempt(for: session, ssl: false)
            if session.isWalsender {
                walsenders.append(walsender(session, ssl: ssl, cache: &cache))
            }
            // A standby below the floor keeps streaming until it reconnects: never cut it (walsender() says what it needs).
            if ssl, !session.isWalsender, let floor = raisedTLSFloor, let version = session.tlsVersion, TLSVersions.rank(version) < TLSVersions.rank(floor) {
                // Connected today; its next handshake is refused, and prefer's plain retry meets the rewritten rules.
                count(session, .tlsBelowFloor, rule: nil,
                      reason: "on \(version) today, below the new floor \(floor): the session is ended with the plain ones, and its next TLS handshake is refused (a prefer client's plain-text retry then meets the rewritten rules)",
                      fix: TLSFloorAdvice.fix(version: version, floor: floor))
                if isOperators(session) && !options.terminateOperatorSessions {
                    spared.append(SparedSession(pid: session.pid, reason: "your own session, on \(version) below the new floor; terminated only with --terminate-own-sessions"))
                } else {
                    terminate.append(session)
                }
                continue
            }
            guard !ssl, !session.gssEncrypted, let attempt else { continue }
            let after = cache.candidate(attempt)
            if after.outcome == .accepted {
                spared.append(SparedSession(pid: session.pid, reason: "the new rules still admit it without SSL (line \(after.lineNumber ?? 0))"))
                continue
            }
            let before = cache.current(attempt)
            let rule = before.decidingRule.map { "\($0.file):\($0.lineNumber)" }
            // A plain session presented no certificate: what its SSL attempt meets under the new rules.
            var withSSL = attempt
            withSSL.ssl = true
            let sslAfter = cache.candidate(withSSL)
            if sslAfter.outcome == .certificateRequired, let line = sslAfter.decidingRule {
                let today = tlsOfferedToday ? "; that is how it is in today: line \(before.lineNumber ?? 0) admitted the plain-text retry" : ""
                count(session, .certificateFallback, rule: rule,
                      reason: "its SSL attempt reaches line \(line.lineNumber) (\(line.method.rawValue)\(line.method != .cert && line.options.clientcert != .off ? ", clientcert=\(line.options.clientcert.rawValue)" : "")), which admits only clients presenting a certificate the server accepts; without one authentication fails and libpq (sslmode=prefer) retries in plain text\(today); the rewrite refuses that retry",
                      fix: "give that client a certificate signed by the CA in ssl_ca_file (sslcert, sslkey), or add a hostssl line with a password method for it before line \(line.lineNumber)")
            } else if tlsOfferedToday {
                count(session, .plainByChoice, rule: rule,
                      reason: "it connected without SSL although the server offers it: its sslmode is disable or allow",
                      fix: "set sslmode=require (or prefer) in that client's connection settings")
            } else {
                count(session, .sslOffToday, rule: rule,
                      reason: "SSL was off when it connected, so the server cannot tell a prefer client from a disable one",
                      fix: "with libpq's default sslmode=prefer it moves to SSL by itself; only clients with sslmode=disable or allow stay refused")
            }
            refusedSessions.append(session)
            if isOperators(session) && !options.terminateOperatorSessions {
                spared.append(SparedSession(pid: session.pid, reason: "your own session (same user and address as this connection, or --operator-pid); terminated only with --terminate-own-sessions"))
                continue
            }
            terminate.append(session)
        }
        let logged = refusedFromEvidence(observedClients, cause: .observedPlain, cache: &cache, connected: snapshot.sessions)
            + refusedFromEvidence(loggedClients, cause: .seenInLog, cache: &cache, connected: snapshot.sessions)
        return Impact(terminate: terminate, spared: spared, refusedClients: order.compactMap { refused[$0] } + logged,
                      walsenders: walsenders, unknownSSL: unknownSSL, pooledGroups: PooledGroups.find(refusedSessions))
    }

    /// Plain-text TCP clients seen in the log or an observation window that
    /// are not among the sessions above and that the rewritten rules refuse
    /// (docs/POSTGRES.md, "The server log as evidence").
    func refusedFromEvidence(_ clients: [LoggedClient], cause: RefusalCause, cache: inout MatchCache, connected: [Session]) -> [RefusedClient] {
        var result: [RefusedClient] = []
        for client in clients where client.encryption == .plain && client.isTCP {
            // Connected at the snapshot: the sessions above speak for it.
            let now = connected.contains { $0.user == client.user && $0.clientAddress == client.address
                && ($0.database ?? "replication") == (client.database ?? "replication") }
            guard !now, let text = client.address, let address = IPAddress(numeric: text) else { continue }
            if result.contains(where: { $0.user == client.user && $0.address == text && $0.database == (client.database ?? "replication") }) { continue }
            let attempt = ConnectionAttempt(transport: .tcp(address), ssl: false, gssEncrypted: false, database: client.database ?? "replication",
                                            user: client.user, replication: client.replication ? (client.database == nil ? .physical : .logical) : .none)
            guard cache.candidate(attempt).outcome != .accepted else { continue }
            let rule = cache.current(attempt).decidingRule.map { "\($0.file):\($0.lineNumber)" }
            let last = client.lastSeen.map { " (last at \(JSONTime.text($0)))" } ?? ""
            let chosen = client.plainWhileSSLOffered
            let seen = cause == .observedPlain
                ? "it connected in plain text \(client.connections) time(s) during the observation window\(last)"
                : "not connected now; the server log shows it connecting in plain text \(client.connections) time(s)\(last)"
            result.append(RefusedClient(
                user: client.user, database: client.database ?? "replication", address: text, applicationName: client.applicationName,
                sessions: 0, rule: rule, mayMoveToSSL: !chosen, cause: cause,
                reason: seen + (chosen ? " after SSL was offered: its sslmode is disable or allow, and the rewrite refuses it"
                                       : " while SSL was off: with libpq's default sslmode=prefer it moves to SSL by itself, with disable or allow it is refused"),
                fix: "set sslmode=require (or prefer) in that client's connection settings before the change",
                seenInLog: client.connections, lastSeen: client.lastSeen))
        }
        return result
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
        if ssl, let floor = raisedTLSFloor, let version = session.tlsVersion, TLSVersions.rank(version) < TLSVersions.rank(floor) {
            needs = "streams on \(version), below the new floor \(floor): it is not terminated, but its next connection's handshake is refused (with prefer, the plain retry is refused too). \(TLSFloorAdvice.fix(version: version, floor: floor))"
        } else if ssl {
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
        var cause: RefusalCause
    }
}

/// Match results per distinct attempt, for the current and the rewritten rules.
struct MatchCache {
    let currentMatcher: Matcher
    let candidateMatcher: Matcher
    var currentResults: [ConnectionAttempt: MatchResult] = [:]
    var candidateResults: [ConnectionAttempt: MatchResult] = [:]

    /// `expected`: about how many attempts will be asked (one per session):
    /// room made once instead of a dozen rehashes of a growing table.
    init(current: Matcher, candidate: Matcher, expected: Int = 0) {
        currentMatcher = current
        candidateMatcher = candidate
        currentResults.reserveCapacity(expected)
        candidateResults.reserveCapacity(expected)
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
