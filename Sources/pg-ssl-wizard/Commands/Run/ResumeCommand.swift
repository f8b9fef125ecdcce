import ArgumentParser
import Executor
import Foundation
import PostgresClient

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue this cluster's interrupted run (a crash, a closed terminal, kill -9) where it stopped.",
        discussion: "The interrupted effect is carried out again; every effect is safe to repeat. Exit codes as for apply.")

    @Argument(help: "libpq connection string or URI of the same cluster.")
    var conninfo: String = ""
    @Flag(help: "Print the outcome as JSON (no progress lines).") var json = false
    @Flag(help: "Confirm the remaining steps of a run that waits between steps (`apply --observe` stopped for pinned clients, or `apply --through`).")
    var yes = false

    func run() throws {
        let driver = try failingWithUnknown { () throws -> RunDriver in
            try OpenedCluster.open(operatorTarget(conninfo)).resumeInterruptedRun()
        }
        driver.observer = RunOutput.progress(json: json)
        if !json { TerminalText.write("resuming run \(driver.record.run) at \(driver.state.stage)\n", to: .standardOutput) }
        _ = try failingWithUnknown { () throws in
            if yes && driver.state.stage == .awaitingConfirmation { try driver.send(.confirmed(through: .confirm)) }
            _ = try driver.run()
        }
        try RunOutput.finish(driver, json: json)
    }
}
