import ArgumentParser
import Enforcement
import Foundation
import HBA
import PostgresClient
import Sandbox
import WizardApp

/// `practice`: the wizard on a throwaway cluster with plain-text clients.
struct PracticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "practice",
        abstract: "Practise on a throwaway cluster: SSL off, no certificates, host rules, plain-text clients; the wizard opens on it.",
        discussion: """
            The sandbox runs as the postgres OS user (when run as root) on a free port under /tmp. Its clients \
            reconnect after being terminated, as applications do. Everything is on this machine, so the rewrite \
            converts loopback rules too. The sandbox is stopped and removed when the wizard exits.
            """)

    @Option(help: "Seconds to answer \"keep these changes?\" before they are reverted.") var keepSeconds = 60

    func run() throws {
        let sandbox = try failingWithUnknown {
            try PracticeSandbox.create(root: FileManager.default.temporaryDirectory.path + "/pgsw-practice-\(getpid())")
        }
        defer {
            sandbox.destroy()
            print("The practice cluster has been stopped and removed.")
        }
        _ = sandbox.waitForClients(count: PracticeSandbox.basicClients.count)
        let code = try failingWithUnknown {
            var options = PlanOptions(rewritePolicy: RewritePolicy(includeLoopback: true))
            options.deadManSeconds = 10
            return try WizardRuntime.run(WizardOptions(target: try ConnectionTarget(sandbox.cluster.socketConninfo()), planOptions: options,
                                                       generation: nil, keepSeconds: keepSeconds, practice: true))
        }
        if code != 0 { throw ExitCode(code) }
    }
}
