import ClusterFacts
import Enforcement
import Foundation

/// The lines of the main pane for the current screen.
extension WizardModel {
    func pageLines(width: Int) -> [Line] {
        switch screen {
        case .preflight: return preflightPage()
        case .step(let step): return stepPage(step, width: width)
        case .final: return finalPage()
        }
    }

    func preflightPage() -> [Line] {
        var lines = [Line(spans: [Badge.badge(content.blocked ? .planned : .satisfied, blocked: content.blocked),
                                  Span(" Preflight: the server, your session, the lock-out guard", Style(.title, bold: true))]), Line("")]
        if let goal = content.goal { lines += [Line.field("practice", goal, Style(.key, bold: true)), Line("")] }
        lines += content.preflight
        lines.append(Line(""))
        lines.append(Line(content.blocked ? "Nothing can be applied until the plan is unblocked. q quits."
                          : "Enter: on to the first step. Nothing changes until you confirm a step.", Style(.key)))
        return lines
    }

    func stepPage(_ step: StepName, width: Int) -> [Line] {
        guard let page = content.pages[step] else { return [] }
        let status = status(step)
        var lines = [Line(spans: [Badge.badge(status, blocked: content.blocked), Span(" " + step.title, Style(.title, bold: true)), Span("  " + step.purpose, Style(.dim))]),
                     Line(page.summary)]
        if let run, activity != .idle || status == .applying {
            lines.append(Line(""))
            lines += progressLines(run, width: width)
        }
        if step == .terminateNonSSL || step == .confirm {
            lines.append(Line(""))
            lines += liveSessionLines(width: width)
        }
        if step == .hbaRewrite && !status.isDone { lines += pinnedClientLines() }
        if !page.found.isEmpty {
            lines.append(Line(""))
            lines.append(Line("Found", Style(.title, bold: true)))
            lines += page.found.map { Line("  " + $0) }
        }
        if !page.fragment.isEmpty && !status.isDone || status == .verified && !page.fragment.isEmpty {
            lines.append(Line(""))
            lines.append(Line(status == .verified ? "Done" : "Will do", Style(.title, bold: true)))
            lines += page.fragment
        }
        if content.blocked && !status.isDone {
            lines.append(Line(""))
            lines += content.blockingReasons.map { Line("BLOCKED: " + $0, Style(.bad)) }
        }
        return lines
    }

    func progressLines(_ run: RunState, width: Int) -> [Line] {
        let chosen = StepName.allCases.filter { [.confirmed, .applying, .verified, .failed].contains(run.status($0)) }
        let done = chosen.filter { run.status($0) == .verified }.count
        var lines = [Line(spans: [Span("progress ", Style(.dim))] + Badge.bar(done, of: chosen.count, width: min(32, width - 30), unicode: box == .unicode)
                          + [Span(" \(done)/\(chosen.count) step(s) · \(Badge.stage(run.stage))")])]
        if run.stage.isTerminating, let sessions, !content.terminatePids.isEmpty {
            let gone = content.terminatePids.filter { !sessions.holds($0, startedAt: content.terminateStarts[$0]) }.count
            lines.append(Line(spans: [Span("sessions ", Style(.dim))]
                              + Badge.bar(gone, of: content.terminatePids.count, width: min(32, width - 30), unicode: box == .unicode)
                              + [Span(" \(gone) of \(content.terminatePids.count) gone")]))
        }
        if run.stage.isTerminating, let termination {
            let left = max(0, Int(termination.deadline.timeIntervalSince(now).rounded(.up)))
            var spans = [Span("ended  ", Style(.dim)), Span("\(termination.endedIdle) between transactions", Style(.good)), Span(" · "),
                         Span("\(termination.stillBusy) still in a transaction", Style(termination.stillBusy == 0 ? .normal : .warning)), Span(" · "),
                         Span("\(termination.cut) cut", Style(termination.cut == 0 ? .normal : .bad, bold: termination.cut > 0))]
            if termination.walsenders > 0 { spans.append(Span(" · \(termination.walsenders) walsender(s)")) }
            if termination.stillBusy > 0 { spans.append(Span("  (grace: \(left) s left)", Style(.dim))) }
            lines.append(Line(spans: spans))
        }
        return lines
    }

    /// Between phase A and the rewrite: clients that connect in plain text
    /// although SSL is offered are pinned to sslmode=disable or allow, and
    /// this step refuses them (docs/POSTGRES.md, "Plain text while SSL was
    /// offered is a choice"). Shown live, from the session view.
    func pinnedClientLines() -> [Line] {
        let since = sslOfferedSince ?? (content.pages[.sslOn]?.planned == .satisfied ? Date.distantPast : nil)
        guard let since, let sessions else { return [] }
        var seen: [String: (count: Int, last: Date?)] = [:]
        var order: [String] = []
        for client in sessions.plainClients where (client.backendStart ?? .distantPast) >= since {
            let key = "\(client.user)@\(client.database) from \(client.address)" + (client.application.isEmpty ? "" : " (\(client.application))")
            if seen[key] == nil { order.append(key) }
            let previous = seen[key] ?? (0, nil)
            seen[key] = (previous.count + 1, [previous.last, client.backendStart].compactMap { $0 }.max())
        }
        // Nothing to say while nobody is pinned: the diff keeps the top of the page.
        guard !order.isEmpty else { return [] }
        var lines = [Line(""), Line("Connected in plain text since SSL was offered", Style(.title, bold: true))]
        lines += order.prefix(8).map { key in
            let entry = seen[key] ?? (0, nil)
            return Line("  \(key): \(entry.count) session(s), refused after this step unless it moves to SSL", Style(.bad))
        }
        if order.count > 8 { lines.append(Line("  and \(order.count - 8) more", Style(.bad))) }
        return lines
    }

    func liveSessionLines(width: Int) -> [Line] {
        guard let sessions else {
            return [Line("live sessions: " + (sessionsProblem ?? "reading..."), Style(.dim))]
        }
        let age = max(0, Int(now.timeIntervalSince(sessions.at)))
        let total = sessions.ssl + sessions.plainTCP
        var lines = [Line(spans: [Span("live ", Style(.dim))]
                          + Badge.bar(sessions.ssl, of: total, width: min(32, width - 40), unicode: box == .unicode, on: Style(.good), off: Style(.bad))
                          + [Span(" \(sessions.ssl) SSL", Style(.good)), Span(" · "),
                             Span("\(sessions.plainTCP) plain TCP", Style(sessions.plainTCP == 0 ? .good : .bad, bold: sessions.plainTCP > 0)),
                             Span(" · \(sessions.socket) socket" + (sessions.gssEncrypted > 0 ? " · \(sessions.gssEncrypted) GSS" : "")),
                             Span(age > 3 ? "  (\(age) s ago)" : "", Style(.dim))])]
        let versions = sessions.tlsVersions.sorted { $0.key > $1.key }.map { "\($0.key): \($0.value)" }
        lines.append(Line("TLS   " + (versions.isEmpty ? "no encrypted session" : versions.joined(separator: "  ")), Style(.dim)))
        if !content.terminatePids.isEmpty {
            let still = content.terminatePids.filter { sessions.holds($0, startedAt: content.terminateStarts[$0], plainOnly: true) }
            let gone = content.terminatePids.filter { !sessions.holds($0, startedAt: content.terminateStarts[$0]) }
            lines.append(Line("planned: \(content.terminatePids.count) to terminate, \(gone.count) gone, \(still.count) still plain"
                              + (still.isEmpty ? "" : " (pid " + still.prefix(8).map(String.init).joined(separator: ", ") + (still.count > 8 ? ", ..." : "") + ")"),
                              Style(still.isEmpty ? .good : .warning)))
        }
        return lines
    }

    func finalPage() -> [Line] {
        guard let final else { return [Line("The run has not ended yet.", Style(.dim))] }
        var lines = [Line(spans: [Span(final.enforced ? "[ENFORCED]" : "[NOT ENFORCED]", Style(final.enforced ? .good : .bad, bold: true)),
                                  Span(" " + final.outcome, Style(.title, bold: true))])]
        if !final.proof.isEmpty {
            lines.append(Line(""))
            lines.append(Line("Proof", Style(.title, bold: true)))
            lines += final.proof.map { Line("  " + $0) }
        }
        if let report = final.reportPath { lines += [Line(""), .field("audit report", report, Style(.key))] }
        if !final.backups.isEmpty {
            lines.append(Line("Backups", Style(.title, bold: true)))
            lines += final.backups.map { Line("  " + $0) }
        }
        if !final.connectionStrings.isEmpty {
            lines.append(Line("Client connection strings (verify-full)", Style(.title, bold: true)))
            lines += final.connectionStrings.map { Line("  " + $0) }
        }
        lines += final.warnings.map { Line("warning: " + $0, Style(.warning)) }
        if content.practice && !final.debrief.isEmpty {
            lines.append(Line(""))
            lines.append(Line("Debrief", Style(.title, bold: true)))
            lines += final.debrief.map { Line("  " + $0) }
        }
        lines.append(Line(""))
        lines.append(Line("Enter or q: quit.", Style(.key)))
        return lines
    }
}
