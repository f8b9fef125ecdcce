/// check_hba: the first rule matching type, address, database and user
/// decides; no rule means the implicit reject (docs/POSTGRES.md, "Matching").
public struct Matcher: Sendable {
    public let document: HBADocument
    public let environment: MatchEnvironment
    let screens: [RuleScreen]
    let index: RuleIndex

    public init(document: HBADocument, environment: MatchEnvironment = .offline) {
        self.document = document
        self.environment = environment
        screens = document.rules.map(RuleScreen.init)
        index = RuleIndex(screens)
    }

    /// The decision and a trace of every line examined. With `tracing`
    /// false (the planner matches thousands of sessions against thousands of
    /// lines) the trace is left empty and lines that surely do not match on
    /// connection type or network are skipped without describing why.
    public func match(_ attempt: ConnectionAttempt, tracing: Bool = true) -> MatchResult {
        tracing ? traced(attempt) : untraced(attempt)
    }

    func traced(_ attempt: ConnectionAttempt) -> MatchResult {
        var trace: [MatchResult.Step] = []
        var unknowns: [MatchResult.Step] = []
        for rule in document.rules {
            switch evaluate(rule, attempt) {
            case .no(let reason):
                trace.append(.init(file: rule.file, lineNumber: rule.lineNumber, text: reason))
            case .unknown(let reason):
                let step = MatchResult.Step(file: rule.file, lineNumber: rule.lineNumber, text: reason)
                trace.append(step)
                unknowns.append(step)
            case .yes:
                return MatchResult(attempt: attempt, decidingRule: rule, trace: trace, unknowns: unknowns,
                                   fileWouldLoad: document.isLoadable)
            }
        }
        return MatchResult(attempt: attempt, decidingRule: nil, trace: trace, unknowns: unknowns,
                           fileWouldLoad: document.isLoadable)
    }

    /// Same decision and open questions, no trace: the index and the screens
    /// skip the lines that surely miss without building their reasons.
    func untraced(_ attempt: ConnectionAttempt) -> MatchResult {
        let client = RuleScreen.Client(attempt)
        let gssapi = document.context.build.gssapi
        var unknowns: [MatchResult.Step] = []
        let rules = document.rules
        for position in index.candidates(client) where !screens[position].misses(client, gssapiBuild: gssapi) {
            let rule = rules[position]
            switch evaluate(rule, attempt) {
            case .no: continue
            case .unknown(let reason):
                unknowns.append(MatchResult.Step(file: rule.file, lineNumber: rule.lineNumber, text: reason))
            case .yes:
                return MatchResult(attempt: attempt, decidingRule: rule, trace: [], unknowns: unknowns, fileWouldLoad: document.isLoadable)
            }
        }
        return MatchResult(attempt: attempt, decidingRule: nil, trace: [], unknowns: unknowns, fileWouldLoad: document.isLoadable)
    }

    enum Verdict: Equatable {
        case yes
        case no(String)
        case unknown(String)
    }

    func evaluate(_ rule: HBARule, _ attempt: ConnectionAttempt) -> Verdict {
        if let reason = typeMismatch(rule, attempt) { return .no(reason) }
        var open: [String] = []
        // In the server's order, and no further than the first field that does not match.
        switch address(rule, attempt) {
        case .no(let reason): return .no(reason)
        case .unknown(let reason): open.append(reason)
        case .yes: break
        }
        switch database(rule, attempt) {
        case .no(let reason): return .no(reason)
        case .unknown(let reason): open.append(reason)
        case .yes: break
        }
        switch user(rule, attempt) {
        case .no(let reason): return .no(reason)
        case .unknown(let reason): open.append(reason)
        case .yes: break
        }
        return open.isEmpty ? .yes : .unknown("depends on " + open.joined(separator: " and "))
    }

    func typeMismatch(_ rule: HBARule, _ attempt: ConnectionAttempt) -> String? {
        let type = rule.connectionType
        if type == .local { return attempt.transport == .unixSocket ? nil : "local only matches unix-socket connections" }
        guard attempt.transport != .unixSocket else { return "\(type.rawValue) only matches TCP connections" }
        if type == .hostssl, !attempt.ssl { return "hostssl needs SSL, this connection has none" }
        if type == .hostnossl, attempt.ssl { return "hostnossl does not match SSL connections" }
        if type == .hostgssenc {
            if !document.context.build.gssapi { return "hostgssenc never matches: the server has no GSSAPI" }
            if !attempt.gssEncrypted { return "hostgssenc needs GSS encryption" }
        }
        if type == .hostnogssenc, attempt.gssEncrypted { return "hostnogssenc does not match GSS-encrypted connections" }
        return nil
    }

    func address(_ rule: HBARule, _ attempt: ConnectionAttempt) -> Verdict {
        guard let spec = rule.address, let client = attempt.clientAddress else { return .yes }
        switch spec {
        case .all:
            return .yes
        case .network(let network, let mask):
            return client.isInRange(of: network, mask: mask) ? .yes
                : .no("address \(client) is not in \(network)/\(mask.prefixLength.map(String.init) ?? mask.description)")
        case .sameHost, .sameNet:
            guard let interfaces = environment.interfaces else {
                return .unknown("the server's interface addresses (\(spec == .sameHost ? "samehost" : "samenet"))")
            }
            let hit = interfaces.contains { interface in
                let family = interface.address.family
                let mask = spec == .sameHost ? IPAddress.mask(bits: family == .v4 ? 32 : 128, family: family)! : interface.netmask
                return client.isInRange(of: interface.address, mask: mask)
            }
            return hit ? .yes : .no("address \(client) is not \(spec == .sameHost ? "one of the server's own" : "on the server's subnets")")
        case .hostname(let pattern):
            guard let lookup = environment.lookupHostname(client) else {
                return .unknown("DNS for \(client) (host name \(pattern))")
            }
            switch lookup {
            case .noName:
                return .no("\(client) has no reverse DNS name")
            case .name(let name, let confirmed):
                guard Self.hostnameMatches(pattern: pattern, name: name) else { return .no("\(client) is \(name), not \(pattern)") }
                return confirmed ? .yes : .no("\(name) does not resolve back to \(client)")
            }
        }
    }

    static func hostnameMatches(pattern: String, name: String) -> Bool {
        if pattern.hasPrefix(".") { return name.lowercased().hasSuffix(pattern.lowercased()) }
        return pattern.lowercased() == name.lowercased()
    }

    func database(_ rule: HBARule, _ attempt: ConnectionAttempt) -> Verdict {
        var open: [String] = []
        for token in rule.databases {
            if attempt.replication == .physical {
                if token.isKeyword("replication") { return .yes }
                continue
            }
            if token.isKeyword("all") { return .yes }
            if token.isKeyword("sameuser") {
                if attempt.database == attempt.user { return .yes }
                continue
            }
            if token.isKeyword("samegroup") || token.isKeyword("samerole") {
                if settle(environment.isMember(attempt.user, attempt.database),
                          "whether \(attempt.user) is a member of role \(attempt.database) (samerole)", &open) { return .yes }
                continue
            }
            if token.isKeyword("replication") { continue }
            if isRegularExpression(token) {
                if settle(regexMatches(token, attempt.database), "the regular expression \(token.text)", &open) { return .yes }
                continue
            }
            if token.text == attempt.database { return .yes }
        }
        if !open.isEmpty { return .unknown(open.joined(separator: " and ")) }
        if attempt.replication == .physical { return .no("physical replication only matches the replication keyword") }
        return .no("database \(attempt.database) is not in \(Self.list(rule.databases))")
    }

    func user(_ rule: HBARule, _ attempt: ConnectionAttempt) -> Verdict {
        var open: [String] = []
        for token in rule.users {
            if token.isMembershipCheck {
                let role = token.textAfterLeadingByte
                if settle(environment.isMember(attempt.user, role), "whether \(attempt.user) is a member of \(role)", &open) { return .yes }
                continue
            }
            if token.isKeyword("all") { return .yes }
            if isRegularExpression(token) {
                if settle(regexMatches(token, attempt.user), "the regular expression \(token.text)", &open) { return .yes }
                continue
            }
            if token.text == attempt.user { return .yes }
        }
        if !open.isEmpty { return .unknown(open.joined(separator: " and ")) }
        return .no("user \(attempt.user) is not in \(Self.list(rule.users))")
    }

    /// A yes / no / unknown answer for one token: true when it matches; an
    /// unknown is recorded as an open question, never guessed.
    private func settle(_ answer: Bool?, _ question: @autoclosure () -> String, _ open: inout [String]) -> Bool {
        if answer == nil { open.append(question()) }
        return answer == true
    }

    /// `/...` is a regular expression from PostgreSQL 16 on, a plain name before.
    private func isRegularExpression(_ token: HBAToken) -> Bool {
        document.context.syntax.hasRegularExpressions && token.leadingByte == UInt8(ascii: "/")
    }

    private func regexMatches(_ token: HBAToken, _ value: String) -> Bool? {
        environment.regexMatches(token.textAfterLeadingByte, value)
    }

    static func list(_ tokens: [HBAToken]) -> String {
        tokens.map { $0.quoted ? "\"\($0.text)\"" : $0.text }.joined(separator: ",")
    }
}

/// The answer for one attempt.
public struct MatchResult: Hashable, Sendable {
    public struct Step: Hashable, Sendable, Codable {
        public var file: String
        public var lineNumber: Int
        public var text: String
    }

    public enum Outcome: String, Hashable, Sendable, Codable {
        /// A rule with a real method matched; that method now decides (a wrong password still fails).
        case accepted
        /// A `reject` rule matched, or none did.
        case rejected
        /// An earlier rule's match could not be decided here.
        case depends
        /// The deciding rule wants a client certificate this attempt does not
        /// present: authentication fails after the handshake, a server error
        /// on which libpq's `prefer` retries without TLS (docs/POSTGRES.md,
        /// "Authentication is part of the outcome").
        case certificateRequired = "certificate_required"
    }

    public var attempt: ConnectionAttempt
    /// The first rule that surely matches; nil for the implicit reject.
    public var decidingRule: HBARule?
    public var trace: [Step]
    /// Rules before the decision whose match is unknown.
    public var unknowns: [Step]
    /// The file itself would load (otherwise the server keeps its old rules).
    public var fileWouldLoad: Bool

    public var outcome: Outcome {
        if !unknowns.isEmpty { return .depends }
        guard let rule = decidingRule, rule.method != .reject else { return .rejected }
        if rule.requiresClientCertificate && !attempt.clientCertificate { return .certificateRequired }
        return .accepted
    }

    /// The line the server would pick if every open question resolved to "no match".
    public var lineNumber: Int? { decidingRule?.lineNumber }
}
