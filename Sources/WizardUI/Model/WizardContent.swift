import ClusterFacts
import Enforcement
import Foundation

/// What the screens show of the plan and the inspection: computed once
/// from the plan (pure), so views and tests never need a server.
public struct WizardContent: Hashable, Sendable {
    public var header: String
    public var preflight: [Line]
    public var pages: [StepName: StepPage]
    public var blockingReasons: [String]
    public var nothingToDo: Bool
    public var filesManual: Bool
    public var explanations: Explanations
    public var practice: Bool
    /// Practice mode: the scenario's goal, first on the preflight screen.
    public var goal: String?
    /// The pids the terminate step plans to end: its progress is how many are gone.
    public var terminatePids: [Int32]
    /// When each of those backends started, where the plan knows it: a
    /// session under the same pid that started at another moment is not
    /// the planned one (docs/POSTGRES.md, "Ending a session between transactions").
    public var terminateStarts: [Int32: Int64]

    public var blocked: Bool { !blockingReasons.isEmpty }

    public init(plan: Plan, snapshot: ClusterSnapshot, explanations: Explanations, practice: Bool = false, goal: String? = nil) {
        let own = snapshot.own
        header = "PostgreSQL \(plan.cluster.version) at \(own.host):\(own.port), system \(plan.cluster.systemIdentifier)"
        pages = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.name, StepPage($0, plan: plan)) })
        blockingReasons = plan.blockingReasons.map { ([$0.text] + $0.waysOut.map { "way out: \($0)" }).joined(separator: "; ") }
        nothingToDo = plan.nothingToDo
        filesManual = plan.filesManual
        self.explanations = explanations
        self.practice = practice
        self.goal = goal
        terminatePids = plan.run.terminate.map(\.pid)
        terminateStarts = plan.run.terminateStarts
        preflight = Self.preflightLines(plan: plan, snapshot: snapshot)
    }

    static func preflightLines(plan: Plan, snapshot: ClusterSnapshot) -> [Line] {
        let own = snapshot.own, privileges = snapshot.privileges
        var lines: [Line] = []
        lines.append(.field("server", "PostgreSQL \(snapshot.server.version.description), data directory \(snapshot.server.dataDirectory)"))
        lines.append(.field("listening", "\(snapshot.server.listenAddresses) port \(snapshot.server.port); ssl = \(snapshot.setting("ssl")?.value ?? "?")"))
        let wire = own.ssl ? "SSL (\(own.tlsProtocol ?? "TLS"))" : own.gssEncrypted ? "GSS-encrypted"
            : own.transport == .unixSocket ? "local, no network" : "NO SSL"
        let route = own.transport == .unixSocket ? "unix socket \(own.host)" : "TCP from \(own.clientAddress ?? "?") to \(own.serverAddress ?? own.host)"
        lines.append(Line(spans: [Span("your session ", Style(.dim)),
                                  Span("pid \(own.pid), \(own.user)@\(own.database), \(route), "),
                                  Span(wire, Style(own.ssl || own.transport == .unixSocket ? .good : .warning, bold: true)),
                                  Span(", sslmode=\(own.sslMode)")]))
        let may = [privileges.isSuperuser ? "superuser" : nil, privileges.signalBackend ? "pg_signal_backend" : nil,
                   privileges.readAllStats ? "pg_read_all_stats" : nil].compactMap { $0 }
        lines.append(Line(spans: [Span("privileges ", Style(.dim)),
                                  Span("\(privileges.role): " + (may.isEmpty ? "none of superuser, pg_signal_backend, pg_read_all_stats" : may.joined(separator: ", ")),
                                       Style(privileges.isSuperuser ? .good : .bad))]))
        let files = snapshot.fileAccess
        lines.append(Line(spans: [Span("files ", Style(.dim)),
                                  Span(files.problem ?? "pg_hba.conf \(snapshot.server.hbaFile) readable, same cluster as pg_control",
                                       Style(files.problem == nil ? .good : .bad))]))
        let sessions = snapshot.otherClientSessions
        let plain = sessions.filter(\.isPlainTCP).count
        lines.append(.field("sessions", "\(sessions.count) other client session(s), \(plain) plain-text TCP"))
        lines.append(Line(""))
        if plan.lockout.isBlocked {
            lines.append(Line("Lock-out guard: BLOCKED, nothing can be applied", Style(.bad, bold: true)))
        } else {
            lines.append(Line("Lock-out guard: nobody who must keep access is locked out", Style(.good, bold: true)))
        }
        for check in plan.lockout.checks {
            lines.append(Line(spans: [Span(check.keepsAccess ? "  ok  " : "  NO  ", Style(check.keepsAccess ? .good : .bad, bold: true)),
                                      Span(check.identity.summary)]))
            lines.append(Line("        after phase A: \(check.betweenPhases.text); after the rewrite: \(check.afterRewrite.text)", Style(.dim)))
        }
        for reason in plan.blockingReasons {
            lines.append(Line("  \(reason.text)", Style(.bad)))
            lines += reason.waysOut.map { Line("    way out: \($0)", Style(.warning)) }
        }
        if plan.nothingToDo { lines.append(Line("Nothing to do: SSL is on, proven, and every remote host rule is hostssl.", Style(.good, bold: true))) }
        lines += plan.notes.map { Line("note: \($0)", Style(.dim)) }
        return lines
    }
}
