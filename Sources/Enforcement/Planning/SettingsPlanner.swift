import ClusterFacts
import SQLCatalogue

/// Phase A's settings: what ALTER SYSTEM must set, what it shadows or is
/// shadowed by, and whether a reload is enough (from `pg_settings.context`).
struct SettingsPlan: Hashable, Sendable {
    struct Change: Hashable, Sendable {
        var name: String
        var value: String
        var reason: String
    }

    var changes: [Change]
    /// SSL is already on and a handshake proves it with the expected certificate.
    var sslProven: Bool
    var conflicts: [SettingConflict]
    var problems: [String]
    var reload: ReloadDecision
    /// Statements that undo `changes` (previous ALTER SYSTEM values or RESET).
    var rollback: [String]

    /// The `ssl_min_protocol_version` phase A sets, when it raises it.
    var raisedTLSFloor: String? { changes.first { $0.name == "ssl_min_protocol_version" }?.value }
}

enum SettingsPlanner {

    static func plan(_ input: PlanningInput, certificatesChange: Bool) -> SettingsPlan {
        let snapshot = input.snapshot
        var changes: [SettingsPlan.Change] = []
        if let replacement = input.certificates.replacement {
            for name in ["ssl_cert_file", "ssl_key_file"] {
                guard let value = replacement.settings[name], snapshot.setting(name)?.value != value else { continue }
                changes.append(.init(name: name, value: value, reason: "point the server at the new \(name.dropFirst(4).replacingOccurrences(of: "_file", with: "")) file"))
            }
        }
        let floor = snapshot.setting("ssl_min_protocol_version")?.value ?? ""
        if rank(floor) < rank(input.options.minimumTLS) {
            changes.append(.init(name: "ssl_min_protocol_version", value: input.options.minimumTLS,
                                 reason: "refuse TLS versions below \(input.options.minimumTLS) (now \(floor.isEmpty ? "unset" : floor)); clients that only speak older TLS are refused from then on, and sessions on it now are ended (see the impact)"))
        }
        if !snapshot.sslSettingOn {
            changes.append(.init(name: "ssl", value: "on", reason: "accept TLS connections"))
        }
        let fingerprintMatches = input.tls.servedFingerprint == nil || input.certificates.fingerprint == nil
            || input.tls.servedFingerprint == input.certificates.fingerprint
        let sslProven = snapshot.sslSettingOn && input.tls.works && fingerprintMatches && !certificatesChange
        let names = changes.map(\.name)
        let found = conflicts(snapshot, names: names)
        return SettingsPlan(changes: changes, sslProven: sslProven, conflicts: found,
                            problems: problems(snapshot, names: names, conflicts: found)
                                + alterSystemRefused(snapshot, changes: changes, newCertificates: input.certificates.replacement != nil),
                            reload: reloadDecision(snapshot, names: changes.map(\.name)),
                            rollback: changes.map { rollbackStatement(snapshot, name: $0.name) })
    }

    static func rank(_ version: String) -> Int { TLSVersions.rank(version) }

    /// postgresql.conf lines ALTER SYSTEM will shadow, and sources that shadow ALTER SYSTEM.
    static func conflicts(_ snapshot: ClusterSnapshot, names: [String]) -> [SettingConflict] {
        var found: [SettingConflict] = []
        for name in names {
            for row in snapshot.fileSettings where row.name == name && !row.sourceFile.hasSuffix("postgresql.auto.conf") {
                found.append(SettingConflict(
                    kind: .shadowedByAlterSystem, name: name, value: row.value ?? "", source: "\(row.sourceFile):\(row.sourceLine)",
                    text: "\(row.sourceFile) line \(row.sourceLine) sets \(name) = '\(row.value ?? "")'; ALTER SYSTEM's value wins (postgresql.auto.conf is read last), but that line stays and will mislead whoever reads the file"))
            }
            if let setting = snapshot.setting(name), ["command line", "override", "environment variable"].contains(setting.source) {
                found.append(SettingConflict(
                    kind: .shadowsAlterSystem, name: name, value: setting.value, source: setting.source,
                    text: "\(name) = '\(setting.value)' comes from the server's \(setting.source); it beats every configuration file, so ALTER SYSTEM cannot change it"))
            }
        }
        return found
    }

    static func problems(_ snapshot: ClusterSnapshot, names: [String], conflicts: [SettingConflict]) -> [String] {
        var problems: [String] = []
        for conflict in conflicts where conflict.kind == .shadowsAlterSystem {
            problems.append(conflict.text + ": remove it from the service's start options (for example -c \(conflict.name)=...) first")
        }
        return problems
    }

    /// 17+ can forbid ALTER SYSTEM (`allow_alter_system = off`). That switch
    /// says the configuration is written by something else (configuration
    /// management), which would overwrite an edit of postgresql.conf by the
    /// wizard; so the plan stops and says exactly which lines to add where.
    /// Once the operator has added them and reloaded, nothing is left for
    /// ALTER SYSTEM and the wizard goes on with pg_hba.conf.
    static func alterSystemRefused(_ snapshot: ClusterSnapshot, changes: [SettingsPlan.Change], newCertificates: Bool) -> [String] {
        guard !changes.isEmpty, snapshot.setting("allow_alter_system")?.value == "off" else { return [] }
        let file = snapshot.server.configFile
        let lines = changes.map { "\($0.name) = '\($0.value)'" }.joined(separator: "; ")
        let certificates = newCertificates
            ? "create the certificate files first (pg-ssl-wizard certs generate --ca or --self-signed --out DIR, with the paths below), then "
            : ""
        return ["allow_alter_system is off on this server, so ALTER SYSTEM is refused and the configuration is managed outside PostgreSQL: "
            + certificates + "add \(lines) to \(file) (or to whatever writes it), reload, and run the wizard again"]
    }

    static func reloadDecision(_ snapshot: ClusterSnapshot, names: [String]) -> ReloadDecision {
        let pending = snapshot.settings.filter(\.pendingRestart).map(\.name)
        let needRestart = names.filter { name in snapshot.setting(name).map { !$0.reloadable } ?? false }
        if !needRestart.isEmpty {
            let list = needRestart.map { "\($0) (\(snapshot.setting($0)?.context ?? "?"))" }.joined(separator: ", ")
            return ReloadDecision(action: .restart, why: "pg_settings.context of \(list) needs a server restart; every session drops", pendingRestart: pending)
        }
        let contexts = names.map { "\($0) (\(snapshot.setting($0)?.context ?? "sighup"))" }
        let why = (contexts.isEmpty ? "no setting changes; " : "pg_settings.context: \(contexts.joined(separator: ", ")), so a reload applies them; ")
            + "pg_hba.conf is re-read on reload. Two reloads: phase A for SSL, proven by a TLS handshake, then phase B for pg_hba.conf"
        return ReloadDecision(action: .reload, why: why, pendingRestart: pending)
    }

    /// Undo one ALTER SYSTEM: put back an earlier ALTER SYSTEM value, else RESET.
    static func rollbackStatement(_ snapshot: ClusterSnapshot, name: String) -> String {
        if let row = snapshot.fileSettings.last(where: { $0.name == name && $0.sourceFile.hasSuffix("postgresql.auto.conf") }),
           let value = row.value {
            return SQLText.alterSystemSet(name, value)
        }
        return SQLText.alterSystemReset(name)
    }
}
