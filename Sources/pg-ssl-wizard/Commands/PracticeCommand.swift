import ArgumentParser
import Certificates
import Enforcement
import Foundation
import HBA
import PostgresClient
import Sandbox
import WizardApp

/// `practice`: the wizard on a throwaway cluster set up as a scenario.
struct PracticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "practice",
        abstract: "Practise on a throwaway cluster set up as a scenario, with applications that reconnect; the wizard opens on it.",
        discussion: """
            Scenarios: \(PracticeScenario.allCases.map { "\($0.rawValue) (\($0.goal))" }.joined(separator: "; ")). \
            The sandbox runs as the postgres OS user (when run as root) on a free port under /tmp; its record is kept \
            under the state directory. Everything is on this machine, so the rewrite converts loopback rules too. On \
            exit the wizard asks whether to keep the sandbox; --keep keeps it, --destroy removes a kept one, --no-ui \
            builds it and prints how to connect.
            """)

    @Option(help: "The scenario: \(PracticeScenario.allCases.map(\.rawValue).joined(separator: ", ")) (default basic).") var scenario: String?
    @Flag(help: "Keep the sandbox when the wizard exits (no question).") var keep = false
    @Flag(help: "Remove a kept sandbox: that of --scenario, else every kept one (asked which when several are kept and a terminal is there).")
    var destroy = false
    @Flag(help: "List the kept sandboxes and how to connect to each.") var list = false
    @Flag(name: .customLong("no-ui"), help: "Build the scenario, print how to connect, exit (the sandbox stays).") var noUI = false
    @Option(help: "Seconds to answer \"keep these changes?\" before they are reverted.") var keepSeconds = 60

    func validate() throws {
        if let scenario, PracticeScenario(rawValue: scenario) == nil {
            throw ValidationError(SandboxError.unknownScenario(scenario, known: PracticeScenario.allCases.map(\.rawValue)).operatorMessage)
        }
        if destroy && (keep || noUI) { throw ValidationError("--destroy removes a sandbox: it does not go with --keep or --no-ui") }
        if list && (destroy || keep || noUI || scenario != nil) { throw ValidationError("--list only lists: it goes with no other option") }
    }

    func run() throws {
        let chosen = scenario.flatMap(PracticeScenario.init(rawValue:)) ?? .basic
        if list {
            let kept = PracticeRecord.kept()
            print(kept.isEmpty ? "no practice sandbox is kept" : kept.map { Self.connectionText($0) }.joined(separator: "\n\n"))
            return
        }
        if destroy {
            try destroyKept(scenario == nil ? nil : chosen)
            return
        }
        let sandbox = try failingWithUnknown { () throws -> PracticeSandbox in
            if let kept = PracticeRecord.load(chosen) { throw SandboxError.sandboxKept(scenario: chosen.rawValue, conninfo: kept.operatorConninfo) }
            let root = try SandboxFiles.newRoot(prefix: "pgsw-practice-\(chosen.rawValue)")
            return try PracticeSandbox.create(chosen, root: root)
        }
        if noUI {
            print(Self.connectionText(sandbox.record))
            return
        }
        var code: Int32 = 0
        do {
            code = try failingWithUnknown {
                var options = PlanOptions(rewritePolicy: RewritePolicy(includeLoopback: true))
                options.deadManSeconds = 10
                // The sandbox's own password, given outright: libpq would send a PGPASSWORD of root's,
                // or a service's, before any pgpass file, and the server is its owner's to make ask.
                let target = try ConnectionTarget(sandbox.record.operatorConninfo).with("password", sandbox.cluster.superuserPassword)
                return try WizardRuntime.run(WizardOptions(
                    target: target, planOptions: options,
                    certificates: chosen.renewsCertificate ? .create(.localCA) : .automatic, keepSeconds: keepSeconds,
                    practice: true, scenarioGoal: "\(chosen.rawValue): \(chosen.goal)"))
            }
        } catch {
            sandbox.destroy()
            throw error
        }
        // Killed by a signal (code 128 + n): nobody to ask, nothing left behind.
        if keep || (code < 128 && Self.operatorWantsToKeep()) {
            print("The sandbox stays.\n" + Self.connectionText(sandbox.record) + "\nRemove it with: pg-ssl-wizard practice --scenario \(chosen.rawValue) --destroy")
        } else {
            sandbox.destroy()
            print("The practice sandbox has been stopped and removed.")
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// One scenario's sandbox, or every kept one (asking which when several
    /// are kept and someone is at the terminal), each named as it goes.
    func destroyKept(_ only: PracticeScenario?) throws {
        var records = PracticeRecord.kept().filter { only == nil || $0.scenario == only }
        if records.isEmpty {
            print(only.map { SandboxError.noSandbox($0.rawValue).operatorMessage } ?? "no practice sandbox is kept; nothing to destroy")
            return
        }
        if only == nil && records.count > 1 && isatty(STDIN_FILENO) == 1 {
            let names = records.map(\.scenario.rawValue)
            TerminalText.write("Kept sandboxes: \(names.joined(separator: ", ")). Destroy which? [all, or names separated by spaces; Enter: none] ",
                               to: .standardOutput)
            let answer = (readLine() ?? "").split(separator: " ").map { $0.lowercased() }
            records = answer == ["all"] ? records : records.filter { answer.contains($0.scenario.rawValue) }
            if records.isEmpty { print("nothing destroyed"); return }
        }
        for record in records {
            record.destroy()
            print("The \(record.scenario.rawValue) practice sandbox has been stopped and removed.")
        }
    }

    static func connectionText(_ record: PracticeRecord) -> String {
        """
        scenario: \(record.scenario.rawValue): \(record.scenario.goal)
        operator: \(record.operatorConninfo)
        server log: \(record.serverLog)
        clients log: \(record.clientsLog)
        """
    }

    /// Asked on the terminal once the wizard has given it back; no terminal: no.
    static func operatorWantsToKeep() -> Bool {
        guard isatty(STDIN_FILENO) == 1 else { return false }
        TerminalText.write("Keep the practice sandbox for later? [y/N] ", to: .standardOutput)
        return (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("y")
    }
}
