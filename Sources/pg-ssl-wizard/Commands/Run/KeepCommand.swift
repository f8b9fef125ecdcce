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
        let driver = try failingWithUnknown { () throws -> RunDriver in
            let cluster = try OpenedCluster.open(operatorTarget(conninfo))
            guard let pending = PendingKeep.find(cluster.directory) else { throw RunError.nothingToKeep }
            if pending.armerIsAlive { throw RunError.keepBelongsToTheWizard(pid: pending.arm.armedBy) }
            if case .reverted(let failure) = pending.guarding { try Self.tooLate(pending, cluster, failure: failure) }
            // Everything checked before the watchdog stands down.
            try pending.checkKeepable()
            if case .reverted? = try pending.tell(.standDown) { try Self.tooLate(pending, cluster, failure: nil) }
            let driver = try cluster.resumeLatestRun()
            // At the question: the answer; a "keep" already given: its stand-down again, then on.
            if case .awaitingKeep = driver.state.stage { try driver.answerKeep(true) }
            return driver
        }
        driver.observer = RunOutput.progress(json: json)
        _ = try failingWithUnknown { try driver.run() }
        try RunOutput.finish(driver, json: json)
    }

    /// The watchdog had put pg_hba.conf back: the run records it, and `keep` says so (exit 1).
    static func tooLate(_ pending: PendingKeep, _ cluster: OpenedCluster, failure: String?) throws -> Never {
        if let driver = try? cluster.resumeLatestRun() {
            try? driver.recordWatchdogRevert(failure: failure)
            _ = try? driver.run()
        }
        TerminalText.write("pg-ssl-wizard: " + RunError.keptTooLate(run: pending.record.run).operatorMessage + "\n", to: .standardError)
        throw ExitCode(1)
    }
}
