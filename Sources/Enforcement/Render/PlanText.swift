import ClusterFacts

extension Plan {
    /// `plan` for people: verdict first, then each step with its files,
    /// statements and sessions, then who is touched.
    public func text() -> String {
        var lines: [String] = []
        lines.append("Plan for PostgreSQL \(cluster.version), system \(cluster.systemIdentifier), data directory \(cluster.dataDirectory)")
        if blocked {
            lines.append("BLOCKED (exit 11): nothing will be changed")
            for reason in blockingReasons {
                lines.append("  - \(reason.text)")
                lines += reason.waysOut.map { "      way out: \($0)" }
            }
        } else if nothingToDo {
            lines.append("Nothing to do (exit 0): SSL is on, proven, and every remote host rule is hostssl")
        } else {
            lines.append("Ready (exit 10): review, then `pg-ssl-wizard apply --yes` or the wizard")
        }
        for step in steps {
            lines.append("")
            lines.append("[\(step.status == .satisfied ? "satisfied" : "to do")] \(step.name.title)")
            lines.append("  \(step.summary)")
            lines += step.details.map { "  - \($0)" }
            for file in files where file.step == step.name {
                let mode = file.mode.map { ", mode 0" + String($0, radix: 8) } ?? ""
                lines.append("  file \(file.path) (\(file.kind.rawValue)\(mode)): \(file.purpose)")
                if let diff = file.diff { lines += diff.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 } }
            }
            for statement in sql where statement.step == step.name {
                lines.append("  sql\(statement.kind == .check ? " (check)" : ""): \(statement.text.replacingOccurrences(of: "\n", with: " "))")
                lines.append("       -- \(statement.purpose)")
            }
            if step.name == .sslOn && step.status != .satisfied {
                lines.append("  load: \(reload.action.rawValue): \(reload.why)")
            }
        }
        lines += impactLines()
        lines += lockoutLines()
        if let managed = managedConfiguration {
            lines += ["", "Managed configuration: the change as \(managed.manager == .patroni ? "Patroni's" : "the Ansible role's") own (nothing here is applied by the wizard)", ""]
            lines += managed.patch.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        if !notes.isEmpty {
            lines.append("")
            lines += notes.map { "note: \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    func impactLines() -> [String] {
        var lines = ["", "Impact"]
        if impact.terminate.isEmpty {
            lines.append("  no session will be terminated")
        } else {
            lines.append("  sessions to terminate:")
            lines += TextTable(header: ["PID", "TYPE", "USER", "DATABASE", "APPLICATION", "CLIENT"], rows: impact.terminate.map {
                ["\($0.pid)", $0.backendType ?? "", $0.user ?? "", $0.database ?? "", $0.applicationName ?? "", $0.clientAddress ?? ""]
            }).render().map { "  " + $0 }
        }
        lines += impact.spared.map { "  spared pid \($0.pid): \($0.reason)" }
        if !impact.refusedClients.isEmpty {
            lines.append("  clients the new rules refuse unless they change (why and the fix for each):")
            for client in impact.refusedClients {
                lines.append("    \(client.user)@\(client.database) from \(client.address)\(client.applicationName.isEmpty ? "" : " (\(client.applicationName))"), "
                             + (client.seenInLog.map { (client.cause == .observedPlain ? "seen connecting in plain text \($0) time(s)" : "seen in the server log \($0) time(s)")
                                    + (client.lastSeen.map { ", last at \(JSONTime.text($0))" } ?? "") }
                                ?? "\(client.sessions) session(s)")
                             + (client.rule.map { ", admitted today by \($0)" } ?? ""))
                lines.append("      why: \(client.reason)")
                lines.append("      fix: \(client.fix)")
            }
        }
        for group in impact.pooledGroups {
            lines.append("  pooled: \(group.sessions) refused backends from \(group.address) (users \(group.users.joined(separator: ", ")); databases \(group.databases.joined(separator: ", "))): \(group.needs)")
        }
        for walsender in impact.walsenders {
            lines.append("  walsender pid \(walsender.pid) for standby \(walsender.standby.isEmpty ? "?" : walsender.standby) (\(walsender.user) from \(walsender.address), \(walsender.kind.rawValue), \(walsender.ssl ? "SSL" : "no SSL")): \(walsender.needs)")
        }
        for conflict in settingConflicts { lines.append("  setting: \(conflict.text)") }
        return lines
    }

    func lockoutLines() -> [String] {
        var lines = ["", "Lock-out guard: \(lockout.isBlocked ? "BLOCKS" : "nobody who must keep access is locked out")"]
        for check in lockout.checks {
            lines.append("  \(check.keepsAccess ? "ok " : "NO ") \(check.identity.summary)")
            lines.append("      after phase A: \(check.betweenPhases.text); after the rewrite: \(check.afterRewrite.text)")
        }
        return lines
    }

    /// `plan --sql`: a psql script of the same statements, file changes as comments, for change tickets.
    public func sqlScript() -> String {
        var lines = [
            "-- pg-ssl-wizard plan for system \(cluster.systemIdentifier) (PostgreSQL \(cluster.version))",
            "-- Run the statements in order; the checks must return no rows before each reload.",
            "-- Phase A (SSL) and phase B (pg_hba.conf) are separate reloads: never combine them.",
            "\\set ON_ERROR_STOP on",
            // The session psql opens pins nothing: names are resolved as the wizard's own sessions resolve them.
            "SET search_path = pg_catalog, pg_temp;",
        ]
        if blocked {
            lines.append("-- BLOCKED: do not run this script until these are resolved:")
            lines += blockingReasons.map { "--   \($0.text)" }
        }
        for step in StepName.allCases {
            let statements = sql.filter { $0.step == step }
            let stepFiles = files.filter { $0.step == step }
            guard !statements.isEmpty || !stepFiles.isEmpty else { continue }
            lines.append("")
            lines.append("-- \(step.title) (\(step.rawValue)): \(step.purpose)")
            for file in stepFiles {
                lines.append("-- file \(file.path) (\(file.kind.rawValue)): \(file.purpose)")
                if let diff = file.diff { lines += diff.split(separator: "\n").map { "--   " + $0 } }
            }
            for statement in statements {
                lines.append("-- \(statement.purpose)")
                if statement.text.contains("$1") {
                    // psql would stop the script on an unbound parameter, right after a reload.
                    lines.append("-- run by the wizard with $1 bound as the purpose says; by hand, put that value in:")
                    lines += statement.text.split(separator: "\n").map { "--   " + $0 }
                } else {
                    lines.append(statement.text.hasPrefix("--") ? statement.text : statement.text + ";")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
