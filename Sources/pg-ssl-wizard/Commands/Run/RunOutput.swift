import ArgumentParser
import Enforcement
import ClusterFacts
import Executor
import Foundation

/// How `apply` and `resume` report: a line per event while running, then
/// the outcome (text or JSON) and an exit code that says how it ended.
enum RunOutput {
    static func progress(json: Bool) -> @Sendable (RunEvent, RunState) -> Void {
        { event, _ in
            guard !json else { return }
            let time = UTCText.timeOfDay(Date())
            // Unbuffered, so a log or a tmux pane shows each step as it happens.
            TerminalText.write("\(time)  \(event.summary)\n", to: .standardOutput)
        }
    }

    struct Summary: Encodable {
        var schema = JSONContract.schema
        var run: String
        var outcome: String
        var steps: [String: String]
        var report: String?
        var journal: String
        var backups: [String: String]
        var exposureWindowSeconds: Double?
        var warnings: [String]
    }

    struct KeepSummary: Encodable {
        var schema = JSONContract.schema
        var run: String
        var outcome: String
        var watchdogPID: Int32
        var revertAt: Date
        var journal: String
        var message: String
    }

    static func finish(_ driver: RunDriver, json: Bool) throws -> Never {
        let state = driver.state
        guard case .finished(let outcome) = state.stage else {
            if state.stage == .awaitingKeep, let arm = state.watchdog {
                // Commit-confirmed: live and proven, waiting for `keep`.
                let text = "run \(driver.record.run): " + KeepWording.armed(pid: arm.pid, revertAt: arm.revertAt)
                if json {
                    print(ReportJSON.text(KeepSummary(run: driver.record.run, outcome: "awaiting keep", watchdogPID: arm.pid,
                                                      revertAt: arm.revertAt, journal: driver.journalPath, message: text)))
                } else {
                    print("\n" + text)
                }
                throw ExitCode(0)
            }
            if state.stage == .awaitingConfirmation, let next = state.nextStep {
                // A wizard run left between steps: only the operator can confirm the next one.
                print("the run waits for the confirmation of \(next.title): open the wizard (`pg-ssl-wizard CONNINFO`) to go on, or `pg-ssl-wizard rollback`")
            } else {
                print("the run is waiting at \(state.stage); `pg-ssl-wizard resume` continues it")
            }
            throw ExitCode(2)
        }
        let summary = Summary(run: driver.record.run, outcome: AuditReport.describe(outcome),
                              steps: Dictionary(uniqueKeysWithValues: StepName.allCases.map { ($0.rawValue, state.status($0).rawValue) }),
                              report: state.reportPath, journal: driver.journalPath, backups: state.backups,
                              exposureWindowSeconds: driver.record.milestones.exposureWindowSeconds, warnings: state.warnings)
        if json {
            print(ReportJSON.text(summary))
        } else {
            print("\n" + summary.outcome)
            if let window = summary.exposureWindowSeconds { print(String(format: "exposure window (hostssl live -> last non-SSL backend gone): %.3f s", window)) }
            for (path, backup) in summary.backups.sorted(by: { $0.key < $1.key }) { print("backup of \(path): \(backup)") }
            for warning in summary.warnings { print("warning: \(warning)") }
            print("audit report: \(summary.report ?? "not written")\njournal: \(summary.journal)")
        }
        throw ExitCode(outcome.exitCode)
    }
}
