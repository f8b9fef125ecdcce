import ClusterFacts
import Enforcement

/// One step's screen as planned: what inspection found, what the step will
/// do (the plan fragment), and what applying it needs the operator to agree to.
public struct StepPage: Hashable, Sendable {
    public var step: StepName
    /// satisfied or planned, from the plan.
    public var planned: StepStatus
    public var summary: String
    public var found: [String]
    public var fragment: [Line]
    public var confirmation: Confirmation
    /// Leaving this step undone locks nobody out (terminate, confirm).
    public var skippable: Bool
}

/// The question before a step is applied: it names what will happen. A
/// restart or a walsender termination must be answered by typing `yes`.
public struct Confirmation: Hashable, Sendable {
    public var step: StepName
    public var title: String
    public var consequences: [String]
    /// Why `yes` must be typed; nil when y/Enter is enough.
    public var typeYes: String?

    public init(step: StepName, title: String, consequences: [String], typeYes: String? = nil) {
        self.step = step
        self.title = title
        self.consequences = consequences
        self.typeYes = typeYes
    }
}

extension StepPage {
    init(_ step: PlannedStep, plan: Plan) {
        self.step = step.name
        planned = step.status
        summary = step.summary
        found = step.found
        // Found is what is there; the plan's own reasoning goes with what it will do, once.
        let reasoning = step.name == .certs || step.name == .sslOn ? [] : step.details.map { Line($0, Style(.dim)) }
        fragment = Self.fragment(step.name, plan: plan) + reasoning
        confirmation = Self.confirmation(step.name, plan: plan)
        skippable = step.name == .terminateNonSSL || step.name == .confirm
    }

    static func fragment(_ step: StepName, plan: Plan) -> [Line] {
        var lines: [Line] = []
        for file in plan.files where file.step == step {
            let mode = file.mode.map { " mode 0" + String($0, radix: 8) } ?? ""
            let owner = file.owner.map { " owner \($0)" } ?? ""
            lines.append(Line("\(file.kind.rawValue) \(file.path)\(mode)\(owner)", Style(.title, bold: true)))
            lines.append(Line("  \(file.purpose)", Style(.dim)))
            if let diff = file.diff {
                lines += diff.split(separator: "\n", omittingEmptySubsequences: false).map { Line.diff(String($0)) }
            }
        }
        for statement in plan.sql where statement.step == step {
            lines.append(Line(statement.text.replacingOccurrences(of: "\n", with: " ") + (statement.kind == .check ? "" : ";"),
                              Style(statement.kind == .change ? .key : .normal, bold: statement.kind == .change)))
            lines.append(Line("  -- \(statement.purpose)", Style(.dim)))
        }
        switch step {
        case .sslOn where plan.reload.action != .none:
            lines.append(Line("then: \(plan.reload.action.rawValue) (phase A): \(plan.reload.why)"))
        case .reloadOrRestart where !plan.run.hbaWrites.isEmpty:
            lines.append(Line("reload (phase B): the hostssl rules go live for new connections"))
            lines.append(Line("dead-man check: a new SSL connection the way you connect, within \(plan.run.deadManSeconds) s"))
        case .terminateNonSSL:
            lines += terminateLines(plan)
        case .confirm:
            lines.append(Line("no plain TCP session left\(plan.run.confirmation.loopbackPlainAllowed ? " (loopback allowed by policy)" : "")"))
            lines.append(Line("every TLS session at \(plan.run.confirmation.minimumTLS) or newer"))
            lines.append(Line("a live sslmode=disable connection must be refused"))
            if let ca = plan.run.confirmation.caPath { lines.append(Line("a verify-full connection with \(ca) must succeed")) }
        default:
            break
        }
        return lines
    }

    static func terminateLines(_ plan: Plan) -> [Line] {
        var lines: [Line] = []
        if !plan.impact.terminate.isEmpty {
            lines += TextTable(header: ["PID", "TYPE", "USER", "DATABASE", "APPLICATION", "CLIENT"], rows: plan.impact.terminate.map {
                ["\($0.pid)", $0.isWalsender ? "walsender" : "backend", $0.user ?? "", $0.database ?? "", $0.applicationName ?? "", $0.clientAddress ?? ""]
            }).render().enumerated().map { Line($1, $0 == 0 ? Style(.title, bold: true) : .plain) }
        }
        lines += plan.impact.spared.map { Line("spared pid \($0.pid): \($0.reason)", Style(.good)) }
        for client in plan.impact.refusedClients {
            lines.append(Line((client.cause == .sslOffToday ? "refused unless it moves to SSL: " : "refused on its next connection: ")
                              + "\(client.user)@\(client.database) from \(client.address)"
                              + (client.applicationName.isEmpty ? "" : " (\(client.applicationName))"), Style(client.mayMoveToSSL ? .warning : .bad)))
            lines.append(Line("  why: \(client.reason)", Style(.dim)))
            lines.append(Line("  fix: \(client.fix)", Style(.dim)))
        }
        for group in plan.impact.pooledGroups {
            lines.append(Line("pooled: \(group.sessions) backends from \(group.address): \(group.needs)", Style(.warning)))
        }
        for walsender in plan.impact.walsenders {
            lines.append(Line("standby \(walsender.standby.isEmpty ? "?" : walsender.standby) (walsender \(walsender.pid), \(walsender.user) from \(walsender.address)): \(walsender.needs)",
                              Style(walsender.admittedWithSSL ? .warning : .bad)))
        }
        return lines
    }

    static func confirmation(_ step: StepName, plan: Plan) -> Confirmation {
        switch step {
        case .preflight:
            return Confirmation(step: step, title: "Re-check the server before the run", consequences: ["nothing is changed"])
        case .certs:
            let files = plan.files.filter { $0.step == .certs }
            return Confirmation(step: step, title: "Put the server's certificate files in place",
                                consequences: files.isEmpty ? ["the certificate, key and CA are read back and checked"]
                                    : files.map { "\($0.kind == .permissions ? "narrow the mode of" : "write") \($0.path)"
                                        + ($0.mode.map { " (0" + String($0, radix: 8) + ")" } ?? "") }
                                    + ["files replaced are kept as backups"])
        case .sslOn:
            let statements = plan.sql.filter { $0.step == .sslOn && $0.kind == .change }.map(\.text)
            let restart = plan.run.phaseA == .restart
            return Confirmation(step: step, title: restart ? "Turn SSL on and RESTART the server" : "Turn SSL on and reload (phase A)",
                                consequences: statements + [restart ? "restart: every session is disconnected" : "reload: no session is disconnected",
                                                            "then a TLS handshake must serve the expected certificate, or it is put back"],
                                typeYes: restart ? "a restart disconnects every session" : nil)
        case .hbaRewrite:
            let changed = plan.files.filter { $0.step == .hbaRewrite }
            let converted = changed.compactMap(\.diff).flatMap { $0.split(separator: "\n") }.filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.count
            return Confirmation(step: step, title: "Write the rewritten pg_hba.conf",
                                consequences: changed.map { "write \($0.path): \(converted) line(s) become hostssl" }
                                    + ["the previous file is kept as a backup", "not live until the next step's reload"])
        case .reloadOrRestart:
            return Confirmation(step: step, title: "Reload: make the hostssl rules live (phase B)",
                                consequences: ["new plain-text TCP connections from converted addresses are refused",
                                               "a new SSL connection must get in within \(plan.run.deadManSeconds) s, or the old file is put back",
                                               "then you keep the changes, or they are reverted"])
        case .terminateNonSSL:
            let targets = plan.impact.terminate
            let walsenders = targets.filter(\.isWalsender)
            return Confirmation(step: step, title: "Terminate \(targets.count) plain-text session(s)",
                                consequences: ["pids " + targets.map { String($0.pid) }.joined(separator: ", ")]
                                    + walsenders.map { "walsender \($0.pid) of standby \($0.applicationName ?? "?"): it must reconnect over SSL" }
                                    + ["your own session and unix-socket sessions are never touched"],
                                typeYes: walsenders.isEmpty ? nil : "standbys are disconnected and must come back over SSL")
        case .confirm:
            return Confirmation(step: step, title: "Prove enforcement and write the audit report",
                                consequences: ["reads pg_stat_ssl", "on 18: ends TCP logins still in progress under the old rules", "a plain-text connection attempt must be refused",
                                               "writes the audit report"])
        }
    }
}
