import ClusterFacts
import Foundation

extension Plan {
    /// `plan`'s exit code: 0 nothing to do, 10 a plan, 11 blocked.
    public var exitCode: Int32 { blocked ? 11 : nothingToDo ? 0 : 10 }

    public var document: PlanDocument { PlanDocument(self) }

    public func json() -> String {
        ReportJSON.text(document)
    }
}

extension IdentityCheck.Outcome {
    public var text: String {
        switch self {
        case .admitted(let ssl, let line): return "admitted \(ssl ? "with SSL" : "without SSL")" + (line.map { " by line \($0)" } ?? "")
        case .refused(let why): return "refused: \(why)"
        case .undecided(let open): return "undecided: depends on \(open)"
        }
    }
}

/// `plan --json`. A public contract (README): keys are only ever added.
public struct PlanDocument: Encodable, Sendable {
    struct Step: Encodable { var name: String; var status: String; var summary: String; var details: [String] }
    struct File: Encodable {
        var path: String; var kind: String; var step: String; var purpose: String; var diff: String?; var mode: String?; var owner: String?
    }
    struct Statement: Encodable { var step: String; var kind: String; var text: String; var purpose: String }
    struct Reason: Encodable { var kind: String; var text: String; var ways_out: [String] }
    struct Check: Encodable {
        var kind: String; var identity: String; var between_phases: String; var after_rewrite: String; var keeps_access: Bool
    }
    struct Lockout: Encodable { var blocked: Bool; var wizard_moves_to_ssl: Bool; var checks: [Check] }
    struct Reload: Encodable { var action: String; var why: String; var pending_restart: [String] }

    var schema = JSONContract.schema
    var blocked: Bool
    var nothing_to_do: Bool
    var exit_code: Int32
    var reasons: [Reason]
    var cluster: ClusterIdentity
    var steps: [Step]
    var files: [File]
    var files_manual: Bool
    var sql: [Statement]
    var reload: Reload
    var setting_conflicts: [SettingConflict]
    var terminate: [StatusReport.SessionDocument]
    var spared: [SparedSession]
    var refused_clients: [RefusedClient]
    var pooled_groups: [PooledGroup]
    var walsenders: [WalsenderImpact]
    var lockout: Lockout
    var notes: [String]
    var managed_configuration: ManagedConfiguration?

    init(_ plan: Plan) {
        blocked = plan.blocked
        nothing_to_do = plan.nothingToDo
        exit_code = plan.exitCode
        reasons = plan.blockingReasons.map { Reason(kind: $0.kind.rawValue, text: $0.text, ways_out: $0.waysOut) }
        cluster = plan.cluster
        steps = plan.steps.map { Step(name: $0.name.rawValue, status: $0.status.rawValue, summary: $0.summary, details: $0.details) }
        files = plan.files.map {
            File(path: $0.path, kind: $0.kind.rawValue, step: $0.step.rawValue, purpose: $0.purpose, diff: $0.diff,
                 mode: $0.mode.map { "0" + String($0, radix: 8) }, owner: $0.owner)
        }
        files_manual = plan.filesManual
        sql = plan.sql.map { Statement(step: $0.step.rawValue, kind: $0.kind.rawValue, text: $0.text, purpose: $0.purpose) }
        reload = Reload(action: plan.reload.action.rawValue, why: plan.reload.why, pending_restart: plan.reload.pendingRestart)
        setting_conflicts = plan.settingConflicts
        terminate = plan.impact.terminate.map { StatusReport.SessionDocument($0, own: false) }
        spared = plan.impact.spared
        refused_clients = plan.impact.refusedClients
        pooled_groups = plan.impact.pooledGroups
        walsenders = plan.impact.walsenders
        lockout = Lockout(blocked: plan.lockout.isBlocked, wizard_moves_to_ssl: plan.lockout.wizardMovesToSSL,
                          checks: plan.lockout.checks.map {
                              Check(kind: $0.identity.kind.rawValue, identity: $0.identity.summary, between_phases: $0.betweenPhases.text,
                                    after_rewrite: $0.afterRewrite.text, keeps_access: $0.keepsAccess)
                          })
        notes = plan.notes
        managed_configuration = plan.managedConfiguration
    }
}
