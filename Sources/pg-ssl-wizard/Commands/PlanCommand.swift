import ArgumentParser
import Enforcement
import Executor
import Foundation
import PostgresClient

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run: every file diff, SQL statement and affected session, and the lock-out guard's verdict.",
        discussion: """
            Changes nothing. Exit 0 when nothing is to do, 10 when there is a plan, 11 when the plan is \
            blocked (by the lock-out guard or a preflight problem; the reasons say which and the ways out), \
            3 on errors (cannot connect, bad option).
            """)

    @Argument(help: "libpq connection string or URI (PG* variables, .pgpass and services apply).")
    var conninfo: String = ""

    @Flag(help: "Print the plan as JSON.") var json = false
    @Flag(help: "Print a commented psql script of the same SQL, file diffs as comments (for change tickets).") var sql = false
    @OptionGroup var planning: PlanningOptions

    func validate() throws {
        if json && sql { throw ValidationError("choose one of --json and --sql") }
    }

    func run() throws {
        let plan = try failingWithUnknown { () throws -> Plan in
            let input = try PlanningInputReader.read(operatorTarget(conninfo), options: try planning.planOptions(),
                                                     certificates: planning.certificates)
            return try Planner.plan(input)
        }
        print(json ? plan.json() : sql ? plan.sqlScript() : plan.text())
        throw ExitCode(plan.exitCode)
    }
}
