import ClusterFacts
import HBA

/// How one protected identity fares, simulated with libpq's retry rules
/// against the rules in force between the phases and after the rewrite.
public struct IdentityCheck: Hashable, Sendable, Codable {
    public enum Outcome: Hashable, Sendable, Codable {
        /// Admitted by `line` (nil: never refused), with or without TLS.
        case admitted(ssl: Bool, line: Int?)
        case refused(String)
        /// The rules depend on facts not known here.
        case undecided(String)
    }

    public var identity: ProtectedIdentity
    /// With SSL on and the old pg_hba.conf (after phase A).
    public var betweenPhases: Outcome
    /// With SSL on and the rewritten pg_hba.conf (after phase B).
    public var afterRewrite: Outcome

    public var keepsAccess: Bool {
        if case .admitted = betweenPhases, case .admitted = afterRewrite { return true }
        return false
    }
}

/// Why the plan is blocked for one identity, and the ways out.
public struct Refusal: Hashable, Sendable, Codable {
    public var identity: ProtectedIdentity
    public var reason: String
    public var waysOut: [String]
}

public struct LockoutVerdict: Hashable, Sendable, Codable {
    public var checks: [IdentityCheck]
    public var refusals: [Refusal]
    /// The wizard's connection is plain today but its sslmode negotiates TLS
    /// once phase A is live: it reconnects with SSL and proves it before any
    /// pg_hba.conf change.
    public var wizardMovesToSSL: Bool

    public var isBlocked: Bool { !refusals.isEmpty }
}

/// The lock-out guard: nobody who must keep access is refused by the new
/// rules and the new SSL state (docs/POSTGRES.md, "Matching" and
/// "libpq client behaviour").
public struct LockoutGuard: Sendable {
    public let current: HBADocument
    public let candidate: HBADocument
    public let environment: MatchEnvironment
    public let policy: RewritePolicy
    /// The `ssl_min_protocol_version` phase A raises the server to; nil when it stays.
    public let raisedTLSFloor: String?
    /// Built once for every identity (each builds the screens and the network index of every rule).
    public let currentMatcher: Matcher
    public let candidateMatcher: Matcher

    public init(current: HBADocument, candidate: HBADocument, environment: MatchEnvironment, policy: RewritePolicy,
                raisedTLSFloor: String? = nil) {
        self.current = current
        self.candidate = candidate
        currentMatcher = Matcher(document: current, environment: environment)
        candidateMatcher = Matcher(document: candidate, environment: environment)
        self.environment = environment
        self.policy = policy
        self.raisedTLSFloor = raisedTLSFloor
    }

    /// Its TLS today is older than the floor phase A sets: every TLS handshake it tries is refused.
    func belowFloor(_ identity: ProtectedIdentity) -> String? {
        guard let floor = raisedTLSFloor, let version = identity.tlsVersion, TLSVersions.rank(version) < TLSVersions.rank(floor) else { return nil }
        return "its TLS (\(version)) is below the new floor \(floor), so the server refuses the handshake"
    }

    /// Only identities that must keep access can block; standbys found in
    /// the sessions are checked and reported, but their fix is on the standby.
    public func verdict(for identities: [ProtectedIdentity], wizardPlainToday: Bool) -> LockoutVerdict {
        let checks = identities.map(check)
        let refusals = checks.filter { !$0.keepsAccess && $0.identity.kind != .standby }.map(refusal)
        let wizardMoves = identities.contains { identity in
            identity.kind == .wizardConnection && !identity.isUnixSocket && wizardPlainToday && identity.sslMode.negotiatesTLSWhenOffered
        }
        return LockoutVerdict(checks: checks, refusals: refusals, wizardMovesToSSL: wizardMoves)
    }

    public func check(_ identity: ProtectedIdentity) -> IdentityCheck {
        IdentityCheck(identity: identity,
                      betweenPhases: simulate(identity, against: currentMatcher),
                      afterRewrite: simulate(identity, against: candidateMatcher))
    }

    /// libpq's attempts in order; the first one admitted wins. A refusal, a
    /// failed authentication and a refused handshake all make prefer/allow
    /// (and gssencmode=prefer) go on to their next attempt.
    func simulate(_ identity: ProtectedIdentity, against matcher: Matcher) -> IdentityCheck.Outcome {
        var refusals: [String] = []
        let sequence = AttemptEncryption.sequence(sslMode: identity.sslMode, gssEncMode: identity.gssEncMode,
                                                  unixSocket: identity.isUnixSocket, serverOffersGSS: matcher.document.context.build.gssapi)
        for encryption in sequence {
            let how = identity.isUnixSocket ? "" : [.ssl: " with SSL", .gss: " with GSS encryption", .plain: " without SSL"][encryption] ?? ""
            if encryption == .ssl, let floor = belowFloor(identity) {
                refusals.append("the attempt with SSL fails: \(floor)")
                continue
            }
            let result = matcher.match(identity.attempt(encryption), tracing: false)
            switch result.outcome {
            case .accepted:
                return .admitted(ssl: encryption == .ssl, line: result.lineNumber)
            case .depends:
                let open = result.unknowns.map { "line \($0.lineNumber) \($0.text)" }.joined(separator: "; ")
                return .undecided(open)
            case .certificateRequired:
                refusals.append("the attempt\(how) fails authentication (line \(result.lineNumber ?? 0) wants a client certificate, it presents none)")
            case .rejected:
                let by = result.decidingRule.map { "line \($0.lineNumber) rejects it" } ?? "no line matches"
                refusals.append("the attempt\(how) is refused (\(by))")
            }
        }
        if refusals.isEmpty {
            if identity.gssEncMode == .require { return .refused("gssencmode=require, and this server offers no GSS encryption (built without GSSAPI)") }
            return .refused("sslmode=\(identity.sslMode.rawValue) makes no attempt the server accepts")
        }
        return .refused(refusals.joined(separator: ", then "))
    }

    func refusal(_ check: IdentityCheck) -> Refusal {
        let identity = check.identity
        let phaseText: String
        let outcome: IdentityCheck.Outcome
        if case .admitted = check.betweenPhases {
            phaseText = "after the hostssl rewrite"
            outcome = check.afterRewrite
        } else {
            phaseText = "once SSL is on (phase A)"
            outcome = check.betweenPhases
        }
        let reason: String
        switch outcome {
        case .refused(let why): reason = "\(identity.summary) would be refused \(phaseText): \(why)"
        case .undecided(let open): reason = "cannot prove that \(identity.summary) keeps access \(phaseText): it depends on \(open)"
        case .admitted: reason = "\(identity.summary) keeps access"
        }
        return Refusal(identity: identity, reason: reason, waysOut: waysOut(for: identity, outcome: outcome))
    }

    func waysOut(for identity: ProtectedIdentity, outcome: IdentityCheck.Outcome) -> [String] {
        var ways: [String] = []
        if let floor = belowFloor(identity) {
            ways.append("\(floor): " + TLSFloorAdvice.fix(version: identity.tlsVersion ?? "", floor: raisedTLSFloor ?? ""))
        }
        let withSSL = candidateMatcher.match(identity.attempt(ssl: true))
        if !identity.isUnixSocket, withSSL.outcome == .certificateRequired, let line = withSSL.lineNumber {
            ways.append("line \(line) admits it with SSL only with a client certificate: give it one the server's ssl_ca_file accepts (sslcert/sslkey), or add a hostssl line with a password method for it before line \(line)")
        }
        if !identity.isUnixSocket, belowFloor(identity) == nil, case .accepted = withSSL.outcome {
            switch identity.kind {
            case .wizardConnection, .operatorSession:
                ways.append("reconnect with sslmode=require (or the default prefer) before running the wizard: the rewritten rules admit this user with SSL from this address")
            case .mustKeep:
                ways.append("change that client to sslmode=prefer or stronger before the change: the rewritten rules admit it with SSL")
            case .standby:
                ways.append("set sslmode=prefer or require in the standby's primary_conninfo and reload the standby before the change")
            }
        }
        if identity.kind == .wizardConnection || identity.kind == .operatorSession {
            let socket = ProtectedIdentity(kind: identity.kind, label: identity.label, address: nil, user: identity.user,
                                           database: identity.database, sslMode: .prefer, sslModeSource: "unix socket")
            // (a socket never carries a certificate, and peer/trust lines need none)
            if case .accepted = candidateMatcher.match(socket.attempt(ssl: false)).outcome {
                ways.append("connect over the unix socket on the database host (local lines are never rewritten)")
            }
        }
        if policy.includeLoopback, let address = identity.address, address.isLoopback {
            ways.append("keep loopback rules as they are: run without --include-loopback")
        }
        if case .undecided = outcome {
            ways.append("connect as a superuser on the database host so the wizard can read role memberships and the server's interfaces")
        }
        if ways.isEmpty {
            ways.append("add a pg_hba.conf line that admits this identity with SSL before running the wizard")
        }
        return ways
    }
}
