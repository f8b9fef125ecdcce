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
            let target = try operatorTarget(conninfo)
            let connection = try Connection.connect(target)
            let snapshot = try ServerInspector(connection: connection).snapshot()
            let directory = try StateDirectory.forCluster(systemIdentifier: snapshot.server.systemIdentifier)
            guard let pending = PendingKeep.find(directory) else { throw RunError.nothingToKeep }
            if pending.armerIsAlive { throw RunError.keepBelongsToTheWizard(pid: pending.arm.armedBy) }
            if case .reverted? = try pending.tell(.standDown) { throw RunError.keptTooLate(run: pending.record.run) }
            let driver = try RunDriver.resume(context: { run in RunContext(target: target, snapshot: snapshot, stamp: run) },
                                              connection: connection, directory: directory)
            try driver.answerKeep(true)
            return driver
        }
        driver.observer = RunOutput.progress(json: json)
        _ = try failingWithUnknown { try driver.run() }
        try RunOutput.finish(driver, json: json)
    }
}
