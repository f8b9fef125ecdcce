/// Whether the server offers TLS at all, probed with a real SSLRequest.
/// `ssl = on` in `pg_settings` is not proof (docs/POSTGRES.md, "SSL initialisation and reload").
public enum TLSAvailability: Hashable, Sendable, Codable {
    case offered
    /// The server answered "N" to an SSLRequest.
    case refused
    /// No probe was possible; the reason says why.
    case notProbed(String)
}

/// The overall answer of `status`, with the monitoring-plugin exit code.
public enum Verdict: String, Sendable, Codable {
    case enforced
    case notEnforced = "not_enforced"
    case sslOff = "ssl_off"

    public var exitCode: Int32 {
        switch self {
        case .enforced: return 0
        case .notEnforced: return 1
        case .sslOff: return 2
        }
    }
}

/// Client sessions by how they travel. The first five categories are
/// disjoint and cover ordinary client backends; walsenders are counted apart.
public struct SessionCounts: Hashable, Sendable, Codable {
    public var ssl = 0
    public var nonSSLTCP = 0
    /// Of `nonSSLTCP`, those from a loopback address.
    public var nonSSLTCPLoopback = 0
    public var gssEncrypted = 0
    public var unixSocket = 0
    /// Sessions whose SSL state the observer may not see.
    public var unknown = 0
    public var walsenders = 0
    public var walsendersSSL = 0
    public var walsendersNonSSL = 0

    public init() {}

    public init(_ sessions: [Session]) {
        for session in sessions where session.isClient {
            if session.isWalsender {
                walsenders += 1
                if session.ssl == true { walsendersSSL += 1 } else if session.isPlainTCP { walsendersNonSSL += 1 }
                continue
            }
            switch session.transport {
            case .unixSocket: unixSocket += 1
            case .none: break
            case .tcp:
                if session.ssl == nil { unknown += 1 }
                else if session.ssl == true { ssl += 1 }
                else if session.gssEncrypted { gssEncrypted += 1 }
                else {
                    nonSSLTCP += 1
                    if session.isLoopback { nonSSLTCPLoopback += 1 }
                }
            }
        }
    }
}

/// The read-only verdict on a cluster: is SSL enforced right now?
public struct StatusAssessment: Hashable, Sendable, Codable {
    public var verdict: Verdict
    /// Plain sentences explaining the verdict, most important first.
    public var reasons: [String]
    /// Observations that do not change the verdict but matter to a DBA.
    public var notes: [String]
    public var counts: SessionCounts
    /// TLS protocol version -> number of encrypted client sessions and walsenders.
    public var tlsVersions: [String: Int]
    public var tls: TLSAvailability

    public init(snapshot: ClusterSnapshot, tls: TLSAvailability) {
        let observed = snapshot.otherClientSessions
        let counts = SessionCounts(observed)
        let versions = TLSVersions.counts(observed)
        var reasons: [String] = []
        let verdict: Verdict
        if !snapshot.sslSettingOn {
            verdict = .sslOff
            reasons.append("ssl is off: every TCP connection travels in plain text")
        } else if tls == .refused {
            verdict = .sslOff
            reasons.append("ssl is on in the settings, but the server refuses TLS: its certificate or key did not load (look for \"SSL configuration was not reloaded\" in the server log)")
        } else if counts.nonSSLTCP > 0 || counts.walsendersNonSSL > 0 {
            verdict = .notEnforced
            if counts.nonSSLTCP > 0 {
                reasons.append("\(counts.nonSSLTCP) TCP session\(counts.nonSSLTCP == 1 ? " is" : "s are") not encrypted")
            }
            if counts.walsendersNonSSL > 0 {
                reasons.append("\(counts.walsendersNonSSL) replication connection\(counts.walsendersNonSSL == 1 ? " is" : "s are") not encrypted")
            }
        } else {
            verdict = .enforced
            reasons.append("ssl is on and no TCP session travels in plain text")
        }
        var notes: [String] = []
        if case .notProbed(let why) = tls, snapshot.sslSettingOn {
            notes.append("TLS was not probed (\(why)); ssl = on alone does not prove TLS works")
        }
        if let note = Self.attemptsNote(snapshot) { notes.append(note) }
        if counts.unknown > 0 {
            notes.append("\(counts.unknown) session(s) hide their SSL state from this role")
        }
        if let rules = snapshot.hbaRules {
            let plain = rules.filter { rule in
                (rule.type == "host" || rule.type == "hostnossl") && rule.authMethod != "reject"
                    && !Self.isLoopbackOnly(address: rule.address, netmask: rule.netmask)
            }
            if !plain.isEmpty {
                let lines = plain.map { String($0.lineNumber) }.joined(separator: ", ")
                notes.append("pg_hba.conf still admits plain-text TCP clients (line\(plain.count == 1 ? "" : "s") \(lines)); a client with sslmode=disable would get in")
            }
        }
        if snapshot.own.transport == .tcp && !snapshot.own.ssl {
            notes.append("this status connection itself is plain-text TCP")
        }
        self.verdict = verdict
        self.reasons = reasons
        self.notes = notes
        self.counts = counts
        self.tlsVersions = versions
        self.tls = tls
    }

    /// 18 lists a connection before it is admitted, with neither its user nor
    /// its encryption known: counted, a client retrying with sslmode=disable
    /// against hostssl rules (or anyone holding a login open) would turn the
    /// verdict on and off. Once admitted it is a session like any other.
    static func attemptsNote(_ snapshot: ClusterSnapshot) -> String? {
        let attempts = snapshot.tcpAttempts
        guard !attempts.isEmpty else { return nil }
        let older = attempts.filter(snapshot.beganBeforeLastLoad).count
        let since = older == 0 ? "" : "; \(older) began before the last reload, under the rules in force before it"
        return "\(attempts.count) TCP login(s) in progress (no user or encryption shown yet), not counted\(since)"
    }

    /// The view's address column is loopback-only (127.0.0.0/8 or ::1/128).
    static func isLoopbackOnly(address: String?, netmask: String?) -> Bool {
        guard let address, let netmask else { return false }
        if address.hasPrefix("127.") { return netmask.hasPrefix("255.") }
        return address == "::1" && netmask == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    }
}
