import ArgumentParser
import ClusterFacts
import Executor
import Foundation
import PostgresClient

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo this cluster's latest run: restore its backups, put back the settings, reload, verify.",
        discussion: """
            Works on a finished or an interrupted run. pg_hba.conf is restored and reloaded first, so TCP \
            clients are never shut out while SSL settings go back. Exit 0 restored and verified, 4 a \
            problem remains (the message says which), 3 errors.
            """)

    @Argument(help: "libpq connection string or URI of the same cluster.")
    var conninfo: String = ""
    @Flag(help: "Print the result as JSON.") var json = false
    @Option(name: .customLong("run"), help: "Roll back only if the latest run is this one (as apply --json named it): fleets roll back what they applied.")
    var expectedRun: String?

    func run() throws {
        let result = try failingWithUnknown { () throws -> RunRollback.Result in
            try OpenedCluster.open(operatorTarget(conninfo)).rollBackLatestRun(expectedRun: expectedRun)
        }
        if json {
            print(ReportJSON.text(result))
        } else {
            for path in result.restoredFiles { print("restored \(path) from its backup") }
            for statement in result.statements { print("ran \(statement)") }
            if result.problems.isEmpty { print("run \(result.run) rolled back and verified") }
        }
        if !result.problems.isEmpty {
            TerminalText.write(("pg-ssl-wizard: " + RunError.rollbackIncomplete(run: result.run, problems: result.problems).operatorMessage + "\n"), to: .standardError)
            throw ExitCode(4)
        }
    }
}
