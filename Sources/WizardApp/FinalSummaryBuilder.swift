import Enforcement
import Executor
import Foundation
import WizardUI

/// The final screen's contents, from the run record and its audit report.
enum FinalSummaryBuilder {
    static func summary(_ record: RunRecord, plan: Plan?) -> FinalSummary {
        let state = record.state
        guard case .finished(let outcome) = state.stage else {
            return FinalSummary(outcome: "the run has not finished", enforced: false)
        }
        let report = AuditReport(record, outcome: outcome)
        var proof: [String] = []
        if let confirmation = record.confirmation {
            proof.append("plain TCP sessions left: \(confirmation.plainTCPSessions)"
                         + (confirmation.plainLoopbackSessions > 0 ? " (\(confirmation.plainLoopbackSessions) on loopback, allowed by policy)" : ""))
            let versions = confirmation.tlsVersions.sorted { $0.key > $1.key }.map { "\($0.key) \($0.value)" }
            proof.append("TLS sessions: " + (versions.isEmpty ? "none" : versions.joined(separator: ", ")))
            proof.append("plain-text attempt (sslmode=disable): \(confirmation.negativeTest)")
            proof.append("verify-full with the CA: \(confirmation.verifyFull ?? "no CA known")")
        }
        if let window = record.milestones.exposureWindowSeconds {
            proof.append(String(format: "exposure window (hostssl live -> last plain session gone): %.3f s", window))
        }
        proof.append("terminated sessions: \(record.terminated.count)")
        let seconds = record.milestones.stepSeconds
        let timed = StepName.allCases.compactMap { step in seconds[step.rawValue].map { String(format: "%@ %.3f s", step.title, $0) } }
        if !timed.isEmpty { proof.append("step durations: " + timed.joined(separator: ", ")) }
        return FinalSummary(
            outcome: report.outcome, enforced: outcome == .enforced, proof: proof, reportPath: state.reportPath,
            backups: state.backups.sorted { $0.key < $1.key }.map { "\($0.key) <- \($0.value)" },
            connectionStrings: report.clientConnectionStrings.map(\.libpq), warnings: state.warnings,
            debrief: debrief(record, plan: plan))
    }

    /// For trainees: the order the steps ran in, what was avoided, what a real window needs besides.
    static func debrief(_ record: RunRecord, plan: Plan?) -> [String] {
        let state = record.state
        var lines = ["steps: " + StepName.allCases.map { "\($0.title) \(state.status($0).rawValue)" }.joined(separator: " -> ")]
        if let plan {
            lines.append("lock-out avoided: the guard checked \(plan.lockout.checks.count) identit\(plan.lockout.checks.count == 1 ? "y" : "ies") against the new rules before anything changed")
            let standbys = plan.impact.walsenders.count
            if standbys > 0 { lines.append("replica: \(standbys) walsender(s) were terminated only after the rules proved an SSL way back in") }
            if !plan.impact.refusedClients.isEmpty {
                lines.append("clients refused from now on unless they use SSL: " + plan.impact.refusedClients.map { "\($0.user)@\($0.address)" }.joined(separator: ", "))
            }
        }
        lines.append("SSL was proven by a handshake before pg_hba.conf changed; the two reloads were separate")
        lines.append("in a real window also: give clients the CA and verify-full strings, fix replicas on other hosts, watch the log for refused clients")
        return lines
    }
}
