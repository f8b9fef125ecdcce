import ClusterFacts
import HBA
import SQLCatalogue

/// Puts the step plans together: statuses, files, SQL in run order, and the
/// run plan the state machine executes.
struct PlanAssembly {
    let input: PlanningInput
    let certificates: CertificateStepPlan
    let settings: SettingsPlan
    let hba: HBAPlan
    let impact: Impact
    let lockout: LockoutVerdict
    let filesManual: Bool
    /// The masked diff of each rewritten file (`diffs(of:)`, made beside the impact preview).
    let hbaDiffs: [String: String]

    var version: ServerVersion { input.snapshot.server.version }
    var sslSatisfied: Bool { settings.sslProven && settings.changes.isEmpty }
    var rewriteNeeded: Bool { hba.result.hasChanges }
    var terminateTargets: [Session] { impact.terminate }

    func steps(preflightProblems: [String]) -> [PlannedStep] {
        var steps: [PlannedStep] = []
        steps.append(PlannedStep(name: .preflight, status: preflightProblems.isEmpty ? .satisfied : .planned,
                                 summary: preflightProblems.isEmpty ? "server, privileges, configuration files and pg_hba.conf are ready"
                                     : "\(preflightProblems.count) problem(s) to fix before anything can change",
                                 details: preflightProblems))
        steps.append(PlannedStep(name: .certs, status: certificates.satisfied ? .satisfied : .planned,
                                 summary: certificates.summary, details: certificates.details))
        steps.append(sslStep())
        steps.append(PlannedStep(name: .hbaRewrite, status: rewriteNeeded ? .planned : .satisfied,
                                 summary: rewriteNeeded
                                     ? "convert \(converted.count) host line(s) to hostssl in \(hba.result.changedFiles.joined(separator: ", "))"
                                     : "no remote host line admits plain text: nothing to rewrite",
                                 details: hba.result.changes.filter { $0.kind != .converted }.map { "\($0.file):\($0.lineNumber): \($0.reason)" }
                                     + fallbacksTakenAway))
        steps.append(PlannedStep(name: .reloadOrRestart, status: rewriteNeeded ? .planned : .satisfied,
                                 summary: rewriteNeeded
                                     ? "phase B: check the file, reload, then open a new SSL connection within \(input.options.deadManSeconds) s or revert"
                                     : "no pg_hba.conf change to load",
                                 details: []))
        steps.append(PlannedStep(name: .terminateNonSSL, status: terminateTargets.isEmpty ? .satisfied : .planned,
                                 summary: terminateTargets.isEmpty ? "no plain-text TCP session would lose access"
                                     : "terminate \(terminateTargets.count) plain-text TCP session(s)"
                                         + (impact.refusedClients.contains { $0.cause == .tlsBelowFloor } ? " or session(s) below the new TLS floor" : "")
                                         + (walsenderTargets.isEmpty ? "" : ", \(walsenderTargets.count) of them walsenders"),
                                 details: []))
        let othersDone = steps.allSatisfy { $0.status == .satisfied }
        steps.append(PlannedStep(name: .confirm, status: othersDone ? .satisfied : .planned,
                                 summary: othersDone ? "nothing changes, nothing to confirm (run `status` for the audit view)"
                                     : "pg_stat_ssl shows no plain TCP session, a sslmode=disable connection is refused, audit report written",
                                 details: []))
        return steps
    }

    var converted: [RewriteChange] { hba.result.changes.filter { $0.kind == .converted } }

    /// Converted lines that are today's plain-text fallback of clients
    /// without a client certificate: what the rewrite takes away, and from whom.
    var fallbacksTakenAway: [String] {
        impact.refusedClients.filter { $0.cause == .certificateFallback }.map { client in
            "\(client.rule ?? "?"): takes away the plain-text fallback of \(client.user)@\(client.database) from \(client.address) (\(client.sessions) session(s)): \(client.reason)"
        }
    }
    var walsenderTargets: [Session] { terminateTargets.filter(\.isWalsender) }

    func sslStep() -> PlannedStep {
        var floor: [String] = []
        if !settings.changes.contains(where: { $0.name == "ssl_min_protocol_version" }) {
            let current = input.snapshot.setting("ssl_min_protocol_version")?.value ?? "?"
            floor.append("ssl_min_protocol_version is already \(current), at or above the floor \(input.options.minimumTLS)")
        }
        if sslSatisfied {
            return PlannedStep(name: .sslOn, status: .satisfied,
                               summary: "ssl is on and a TLS handshake served the expected certificate", details: floor)
        }
        var details = settings.changes.map { "\($0.name) = '\($0.value)': \($0.reason)" } + floor
        details += settings.conflicts.map(\.text)
        let summary = settings.changes.isEmpty
            ? "reload so the server loads its certificate files, then prove TLS with a handshake"
            : "ALTER SYSTEM \(settings.changes.map(\.name).joined(separator: ", ")), \(settings.reload.action.rawValue), prove TLS with a handshake"
        return PlannedStep(name: .sslOn, status: .planned, summary: summary, details: details)
    }

    func files() -> [FileChange] {
        var files = certificates.files
        if rewriteNeeded {
            for path in hba.result.changedFiles {
                files.append(FileChange(path: path, kind: .rewrite, step: .hbaRewrite,
                                        purpose: "host -> hostssl for remote clients; comments and layout kept",
                                        diff: hbaDiffs[path] ?? hba.result.maskedDiff(of: path),
                                        mode: nil, owner: nil))
            }
        }
        return files
    }

    /// The masked diff of each file the rewrite changes.
    static func diffs(of hba: HBAPlan) -> [String: String] {
        Dictionary(uniqueKeysWithValues: hba.result.changedFiles.map { ($0, hba.result.maskedDiff(of: $0)) })
    }

    func statements() -> [PlannedStatement] {
        var sql: [PlannedStatement] = []
        if !sslSatisfied {
            for change in settings.changes {
                sql.append(PlannedStatement(step: .sslOn, kind: .change, text: SQLText.alterSystemSet(change.name, change.value), purpose: change.reason))
            }
            sql.append(PlannedStatement(step: .sslOn, kind: .check, text: SQLText.fileSettingErrors,
                                        purpose: "phase A: no configuration file error may block the change (must return no rows)"))
            if settings.reload.action == .restart {
                sql.append(PlannedStatement(step: .sslOn, kind: .change, text: "-- restart the server (pg_ctl restart / systemctl restart)",
                                            purpose: settings.reload.why))
            } else {
                sql.append(PlannedStatement(step: .sslOn, kind: .change, text: SQLText.reload, purpose: "phase A reload: SSL only, pg_hba.conf unchanged"))
            }
            sql.append(PlannedStatement(step: .sslOn, kind: .check, text: SQLText.ownTLS,
                                        purpose: "on a new sslmode=require connection whose handshake served the expected certificate"))
        }
        if rewriteNeeded {
            sql.append(PlannedStatement(step: .hbaRewrite, kind: .check, text: SQLText.hbaFileRulesProblems(version),
                                        purpose: "the server's own parse of the rewritten file (must return no rows)"))
            sql.append(PlannedStatement(step: .reloadOrRestart, kind: .check, text: SQLText.fileSettingErrors,
                                        purpose: "phase B: configuration files still clean (must return no rows)"))
            sql.append(PlannedStatement(step: .reloadOrRestart, kind: .change, text: SQLText.reload, purpose: "phase B reload: the hostssl rules"))
            if let attempts = SQLText.endAttemptsBefore(version) {
                sql.append(PlannedStatement(step: .reloadOrRestart, kind: .change, text: attempts,
                                            purpose: "logins in progress for a second or more ($2 = 1), begun before the server loaded the hostssl rules ($1: its load time as the reload's proof saw it, in seconds since 1970) or within a second after, under the old rules: ended; a retry meets the new ones"))
            }
        }
        for session in terminateTargets {
            let who = "\(session.isWalsender ? "walsender" : "session") of \(session.user ?? "?") from \(session.clientAddress ?? "?")"
            sql.append(PlannedStatement(step: .terminateNonSSL, kind: .change,
                                        text: SQLText.terminate(session.pid, backendStartMicroseconds: session.backendStartMicroseconds,
                                                                timeoutMilliseconds: input.options.terminateTimeoutMilliseconds, version: version),
                                        purpose: who))
        }
        if sql.contains(where: { $0.kind == .change }) {
            if rewriteNeeded, let ending = SQLText.endAttemptsBefore(version), let left = SQLText.attemptsBefore(version) {
                sql.append(PlannedStatement(step: .confirm, kind: .change, text: ending,
                                            purpose: "the same, again once younger ones have had their second, for logins still under way or whose client sent its startup packet after the reload step ($1, $2 as there)"))
                sql.append(PlannedStatement(step: .confirm, kind: .check, text: left,
                                            purpose: "logins under the old rules still in progress after that (must return no rows)"))
            }
            sql.append(PlannedStatement(step: .confirm, kind: .check, text: SQLText.plainTCPSessions,
                                        purpose: "no plain-text TCP session left" + (input.options.rewritePolicy.includeLoopback ? "" : " (loopback allowed by policy)")))
        }
        return sql
    }

    var reloadDecision: ReloadDecision {
        if sslSatisfied && !rewriteNeeded {
            return ReloadDecision(action: .none, why: "nothing to load", pendingRestart: settings.reload.pendingRestart)
        }
        if sslSatisfied {
            return ReloadDecision(action: .reload, why: "pg_hba.conf is re-read on reload; SSL is already proven, so only phase B's reload is needed",
                                  pendingRestart: settings.reload.pendingRestart)
        }
        return settings.reload
    }

    var notes: [String] {
        var notes: [String] = []
        if lockout.wizardMovesToSSL {
            notes.append("this connection is plain today; its sslmode negotiates TLS once SSL is live, so the wizard reconnects with SSL right after phase A and proves it before any pg_hba.conf change")
        }
        if filesManual {
            notes.append("the server's files are not reachable from here (not on the database host): the wizard runs the SQL; apply the file changes shown yourself, then run it again")
        }
        if !settings.reload.pendingRestart.isEmpty {
            notes.append("already waiting for a restart, unrelated to this plan: \(settings.reload.pendingRestart.joined(separator: ", "))")
        }
        if impact.unknownSSL > 0 {
            notes.append("\(impact.unknownSSL) session(s) hide their SSL state from this role: grant pg_read_all_stats to see them")
        }
        if impact.refusedClients.contains(where: \.mayMoveToSSL) {
            notes.append("clients that connected while SSL was off reconnect with SSL by themselves if they use libpq's default sslmode=prefer")
        }
        return notes
    }

    /// The planned statuses are the run's starting point (a blocked plan never runs).
    func runPlan(steps: [PlannedStep]) -> RunPlan {
        let options = input.options
        var initial: [StepName: StepStatus] = [:]
        for step in steps { initial[step.name] = step.status }
        let ca = certificates.work.flatMap { work -> String? in
            if case .create(let replacement) = work { return replacement.path(of: .rootCertificate) }
            return nil
        } ?? (input.certificates.caVerifiesServer ? input.certificates.caPath : nil)
        return RunPlan(
            systemIdentifier: input.snapshot.server.systemIdentifier, serverMajor: version.major, initial: initial,
            certificates: certificates.work,
            expectedFingerprint: certificates.changesFiles ? nil : input.certificates.fingerprint,
            sslStatements: sslSatisfied ? [] : settings.changes.map { SQLText.alterSystemSet($0.name, $0.value) },
            sslRollback: sslSatisfied ? [] : settings.rollback,
            phaseA: sslSatisfied ? .none : settings.reload.action,
            hbaWrites: filesManual || !rewriteNeeded ? [] : hba.result.changedFiles.map { FileWrite(path: $0, contents: hba.result.rewritten[$0] ?? []) },
            phaseB: rewriteNeeded ? .reload : .none,
            terminate: terminateTargets.map { TerminateTarget(pid: $0.pid, walsender: $0.isWalsender, standby: $0.isWalsender ? $0.applicationName : nil,
                                                             backendStartMicroseconds: $0.backendStartMicroseconds) },
            terminateTimeoutMilliseconds: version.major >= 14 ? options.terminateTimeoutMilliseconds : nil,
            deadManSeconds: options.deadManSeconds,
            confirmation: ConfirmationExpectation(minimumTLS: options.minimumTLS, caPath: ca,
                                                  loopbackPlainAllowed: !options.rewritePolicy.includeLoopback),
            wizardMovesToSSL: lockout.wizardMovesToSSL)
    }
}
