import ArgumentParser
import Enforcement
import Executor
import Foundation
import PostgresClient

/// `pg-ssl-wizard keep [CONNINFO]`: the answer "keep" to a run that waits
/// for it (`apply --confirm-within`, or a wizard whose session was lost).
struct KeepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keep",
        abstract: "Keep the changes a run is waiting on: its watchdog stands down and the run goes on (terminate, confirm, report).",
        discussion: """
            For `apply --confirm-within S`, or a wizard whose session was lost during "keep these changes?". \
            Exit codes as for apply; 1 also when the watchdog had already put pg_hba.conf back.
            """)

    @Argument(help: "libpq connection string or URI of the same cluster.")
    var conninfo: String = ""
    @Flag(help: "Print the outcome as JSON (no progress lines).") var json = false

    func run() throws {
        let outcome = try failingWithUnknown { try OpenedCluster.open(operatorTarget(conninfo)).keepWaitingRun() }
        guard case .kept(let driver) = outcome else {
            if case .tooLate(let run) = outcome {
                TerminalText.write("pg-ssl-wizard: " + RunError.keptTooLate(run: run).operatorMessage + "\n", to: .standardError)
            }
            throw ExitCode(1)
        }
        driver.observer = RunOutput.progress(json: json)
        _ = try failingWithUnknown { try driver.run() }
        try RunOutput.finish(driver, json: json)
    }
}
