import Executor
import Foundation
import Sandbox
import Testing
import TestSupport

/// `practice --list` shows every kept sandbox; `practice --destroy` with no
/// scenario removes every kept one, naming each (no terminal to ask which)
/// (issue 25, item 5). It used to look only for the basic sandbox.
struct KeptSandboxesTests {
    @Test func listShowsAndDestroyRemovesEveryKeptSandbox() throws {
        let wizard = try WizardRun()
        let scenarios: [PracticeScenario] = [.basic, PracticeScenario.allCases.first { $0 != .basic }!]
        var records: [PracticeRecord] = []
        defer { for scenario in scenarios { _ = try? wizard.run(["practice", "--scenario", scenario.rawValue, "--destroy"]) } }
        for scenario in scenarios {
            let built = try wizard.run(["practice", "--scenario", scenario.rawValue, "--no-ui"], timeoutSeconds: 180)
            #expect(built.exitCode == 0, "\(built.stdout)\(built.stderr)")
            records.append(try #require(PracticeRecord.load(scenario, environment: ["XDG_STATE_HOME": wizard.stateHome])))
        }
        let list = try wizard.run(["practice", "--list"])
        #expect(list.exitCode == 0)
        for record in records {
            #expect(list.stdout.contains("scenario: \(record.scenario.rawValue):") && list.stdout.contains(record.operatorConninfo), "\(list.stdout)")
        }

        let destroy = try wizard.run(["practice", "--destroy"])
        #expect(destroy.exitCode == 0, "\(destroy.stderr)")
        for record in records {
            #expect(destroy.stdout.contains("The \(record.scenario.rawValue) practice sandbox has been stopped and removed."), "\(destroy.stdout)")
            #expect(LeftoverProcesses.mentioning(record.roots).isEmpty && record.roots.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        }
        #expect(try wizard.run(["practice", "--list"]).stdout.contains("no practice sandbox is kept"))
        #expect(try wizard.run(["practice", "--destroy"]).stdout.contains("nothing to destroy"))
        let bad = try wizard.run(["practice", "--list", "--keep"])
        #expect(bad.exitCode == 64 && bad.stderr.contains("--list only lists"))
    }
}
