import ArgumentParser
import ClusterFacts
import Executor
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
        let pending = StateDirectory.existing(systemIdentifier: report.snapshot.server.systemIdentifier).flatMap(PendingKeep.find)
        let document = pending.map(Self.document)
        print(json ? report.json(pendingKeep: document) : report.text() + (document.map { "\n\n" + $0.message } ?? ""))
        // Rules waiting for "keep" warn; live rules nothing will put back nor confirm are critical.
        var code = report.assessment.verdict.exitCode
        if let document { code = max(code, ["unguarded", "revert_failed"].contains(document.state) ? 2 : 1) }
        throw ExitCode(code)
    }

    static func document(_ pending: PendingKeep) -> PendingKeepDocument {
        switch pending.guarding {
        case .armed(let pid, let revertAt):
            return PendingKeepDocument(run: pending.record.run, state: "armed", watchdogPID: pid, revertAt: revertAt, message: pending.description)
        case .unguarded(let pid):
            return PendingKeepDocument(run: pending.record.run, state: "unguarded", watchdogPID: pid, revertAt: nil, message: pending.description)
        case .reverted(let failure):
            return PendingKeepDocument(run: pending.record.run, state: failure == nil ? "reverted" : "revert_failed", watchdogPID: pending.arm.pid,
                                       revertAt: nil, message: pending.description)
        }
    }
}
