import ArgumentParser
import Enforcement
import Executor
import Foundation
import PlanningInputs
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
    @Option(name: .customLong("after-ssl"),
            help: "On a server where SSL is on: watch this many seconds for clients that still connect in plain text (sslmode disable or allow) and add them to the impact preview.")
    var afterSSL: Int?
    @OptionGroup var planning: PlanningOptions

    func validate() throws {
        if json && sql { throw ValidationError("choose one of --json and --sql") }
        if let afterSSL, afterSSL < 1 || afterSSL > 86_400 { throw ValidationError("--after-ssl \(afterSSL): use 1 to 86400 seconds") }
    }

    func run() throws {
        let plan = try failingWithUnknown { () throws -> Plan in
            let target = try operatorTarget(conninfo)
            let connection = try Connection.connect(target)
            defer { connection.close() }
            var input = try PlanningInputReader.read(target, connection: connection, options: try planning.planOptions(),
                                                     certificates: planning.certificates)
            if let afterSSL {
                guard input.tls.works else { throw RunError.sslNotOfferedForObservation }
                let since = try PlainClientObservation.sslOfferedSince(connection, fromLastReload: false)
                input.observedPlainClients = try PlainClientObservation.watch(connection, seconds: Double(afterSSL), since: since)
            }
            return try Planner.plan(input)
        }
        print(json ? plan.json() : sql ? plan.sqlScript() : plan.text())
        throw ExitCode(plan.exitCode)
    }
}
