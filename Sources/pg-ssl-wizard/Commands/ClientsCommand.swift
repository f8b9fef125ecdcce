import ArgumentParser
import Enforcement
import Executor
import Foundation
import PlanningInputs

/// `pg-ssl-wizard clients`: who connects, how, and what the change would do to each.
struct ClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Read-only inventory of clients: connected now and seen in the server's log, each with what enforcing SSL does to it.",
        discussion: """
            Weeks before a window: turn log_connections on, then run this to see every client that connects in \
            plain text, how often and when it last did, and whether the hostssl rewrite would refuse it. Changes \
            nothing. Exit 0 when no client would be refused, 10 when some would, 3 on errors.
            """)

    @Argument(help: "libpq connection string or URI (PG* variables, .pgpass and services apply).")
    var conninfo: String = ""
    @Flag(help: "Print the inventory as JSON.") var json = false
    @OptionGroup var planning: PlanningOptions

    func run() throws {
        let inventory = try failingWithUnknown { () throws -> ClientInventory in
            let input = try PlanningInputReader.read(operatorTarget(conninfo), options: try planning.planOptions(),
                                                     certificates: planning.certificates)
            return ClientInventory(plan: try Planner.plan(input), input: input)
        }
        TerminalText.write((json ? inventory.json() : inventory.text()) + "\n", to: .standardOutput)
        throw ExitCode(inventory.clients.contains { $0.verdict == .refused } ? 10 : 0)
    }
}
