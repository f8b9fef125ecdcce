import ClusterFacts
import Enforcement
import Foundation

extension AuditReport {
    public func markdown() -> String {
        var lines = ["# pg-ssl-wizard audit report, run \(run)", ""]
        lines += ["- Cluster: system identifier \(systemIdentifier), PostgreSQL \(serverMajor)",
                  "- Operator connection: `\(connection)`",
                  "- Started: \(Self.time(startedAt)); finished: \(finishedAt.map(Self.time) ?? "not yet")",
                  "- **Outcome: \(outcome)**",
                  "- Exposure window (hostssl live -> last non-SSL backend gone): "
                    + (exposureWindowSeconds.map { String(format: "%.3f s", $0) } ?? "not measured (the rules did not go live)"), ""]
        lines += ["## Steps", ""] + StepName.allCases.map { step in
            "- \(step.title): \(steps[step.rawValue] ?? "?")" + (stepSeconds[step.rawValue].map { String(format: " in %.3f s", $0) } ?? "")
        } + [""]
        lines += ["## Sessions", "", "| | before | after |", "|---|---|---|"]
        let rows: [(String, (SessionCounts) -> Int)] = [
            ("SSL", { $0.ssl }), ("non-SSL TCP", { $0.nonSSLTCP }), ("  of which loopback", { $0.nonSSLTCPLoopback }),
            ("GSS-encrypted", { $0.gssEncrypted }), ("unix socket", { $0.unixSocket }),
            ("walsenders over SSL", { $0.walsendersSSL }), ("walsenders without SSL", { $0.walsendersNonSSL }),
        ]
        for (name, value) in rows { lines.append("| \(name) | \(value(before.counts)) | \(after.map { String(value($0.counts)) } ?? "-") |") }
        lines += ["", "TLS versions after: " + Self.versions(after?.tlsVersions ?? [:]), ""]
        lines += ["## Settings", "", "| setting | before | after |", "|---|---|---|"]
        for name in Set(before.settings.keys).union(after?.settings.keys ?? [:].keys).sorted() {
            lines.append("| \(name) | \(SecretSettings.shown(name, before.settings[name] ?? "")) | \((after?.settings[name]).map { SecretSettings.shown(name, $0) } ?? "-") |")
        }
        lines += ["", "## Files", "", "| file | SHA-256 before | SHA-256 after |", "|---|---|---|"]
        for path in Set(before.fileHashes.keys).union(after?.fileHashes.keys ?? [:].keys).sorted() {
            lines.append("| \(path) | \(before.fileHashes[path] ?? "absent") | \(after?.fileHashes[path] ?? "-") |")
        }
        lines += [""] + (backups.isEmpty ? ["No file was replaced."] : backups.sorted { $0.key < $1.key }.map { "- \($0.key) was kept as `\($0.value)`" })
        if let expiry = after?.certificateNotAfter ?? before.certificateNotAfter {
            lines += ["", "Server certificate valid until \(Self.time(expiry))."]
        }
        if let compliance {
            lines += ["", "## Compliance", ""]
            lines += Compliance.text(compliance).map { "- " + $0 }
        }
        lines += ["", "## Terminated sessions", ""]
        lines += terminated.isEmpty && endedLogins.isEmpty ? ["None."] : terminated.map {
            "- pid \($0.pid) \($0.walsender ? "walsender" : "backend") \($0.user ?? "?")@\($0.clientAddress ?? "?") application \($0.applicationName ?? "") at \(Self.time($0.at))"
                + Self.endingDescription($0)
                + ($0.exitConfirmed == false ? "; signalled, not seen gone: the step failed and the server could not be asked again" : "")
        }
        lines += endedLogins.map {
            "- pid \($0.pid) login in progress from \($0.clientAddress ?? "?") under the rules loaded before the hostssl ones "
                + "(no user yet), ended; gone at \(Self.time($0.at)). A retry meets the hostssl rules."
        }
        let cut = terminated.filter { $0.cutInsideTransaction == true }
        if !cut.isEmpty {
            lines += ["", "\(cut.count) session(s) were still inside a transaction when the grace ran out and were cut: their "
                      + "applications saw the transaction fail. Longer `--grace`, or ending long transactions first, avoids that."]
        }
        lines += ["", "## Proof", ""]
        if let confirmation {
            lines += ["- Non-SSL TCP sessions after: \(confirmation.plainTCPSessions) (\(confirmation.plainLoopbackSessions) from loopback)",
                      "- Negative test (sslmode=disable over TCP): \(confirmation.negativeTest)",
                      "- verify-full test: \(confirmation.verifyFull ?? "no CA known")"]
            if let moved = confirmation.movedToSSL, !moved.isEmpty { lines.append("- Back over SSL after termination (moved by themselves): " + moved.joined(separator: ", ")) }
            if let notBack = confirmation.notBackOverSSL, !notBack.isEmpty {
                lines.append("- Not back over SSL at the confirmation (pinned to plain text, or not reconnected yet): " + notBack.joined(separator: ", "))
            }
            lines += confirmation.problems.map { "- PROBLEM: \($0)" }
        } else {
            lines.append("The confirm step did not run.")
        }
        if !warnings.isEmpty { lines += ["", "## Warnings", ""] + warnings.map { "- \($0)" } }
        lines += ["", "## For clients", "", clientGuidance]
        for strings in clientConnectionStrings { lines += ["", "- `\(strings.libpq)`", "- `\(strings.uri)`", "- `\(strings.jdbc)`"] }
        if let pem = rootCertificatePEM {
            lines += ["", "The root certificate for clients (public; the server's ssl_ca_file, its client CA, was not touched):", "", "```", pem.trimmingCharacters(in: .newlines), "```"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func time(_ date: Date) -> String { JSONTime.text(date) }

    static func versions(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
    }

    /// ", ended while idle" / ", cut inside a transaction (idle in transaction, open 12.3 s)".
    static func endingDescription(_ session: TerminatedSession) -> String {
        guard !session.walsender, let state = session.state else { return "" }
        switch session.cutInsideTransaction {
        case false?: return ", ended while idle between transactions"
        case true?:
            let age = session.transactionSeconds.map { String(format: ", open %.1f s", $0) } ?? ""
            return ", cut inside a transaction (\(state.rawValue)\(age))"
        case nil: return ", state not known (\(state.rawValue))"
        }
    }
}
