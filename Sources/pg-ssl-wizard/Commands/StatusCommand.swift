import ArgumentParser
import ClusterFacts
import Foundation
import PostgresClient

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Read-only report: SSL settings, sessions, and whether SSL is enforced.",
        discussion: """
            Exit codes follow the monitoring-plugin convention: 0 enforced, 1 warning \
            (non-SSL TCP sessions), 2 critical (ssl off or TLS not working), 3 unknown \
            (cannot connect, not enough privilege).
            """)

    @Argument(help: "libpq connection string or URI (PG* variables, .pgpass and services apply).")
    var conninfo: String = ""

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let report = try failingWithUnknown { try StatusCheck.run(operatorTarget(conninfo)) }
        print(json ? report.json() : report.text())
        throw ExitCode(report.assessment.verdict.exitCode)
    }
}
