import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// Every case of the catalogue on its own real cluster: the command fails
/// with the expected exit code and one message that names the problem and
/// the way out, no password is echoed, and a fingerprint of the cluster
/// (files, settings, configuration load time, backends) is unchanged.
struct BadInputCatalogueTests {
    @Test func theCatalogueCoversEveryStep() {
        let cases = BadInputCatalogue.cases
        #expect(cases.count >= 30, "\(cases.count) cases")
        #expect(Set(cases.map(\.step)) == ["cli", "preflight", "certs", "ssl_on", "hba_rewrite", "wizard"])
        #expect(Set(cases.map(\.testDescription)).count == cases.count, "names are unique")
    }

    @Test(arguments: BadInputCatalogue.cases)
    func refusedWithOneMessageAndNothingChanged(_ item: BadInputCase) async throws {
        try TestEnvironment.requireRoot(for: "mounts, other OS users and the postgres user")
        let binaries = try item.major.map { try TestServers.binaries(major: $0) }
        try await TestCluster.with(binaries: binaries) { cluster in
            try cluster.writeHBA(BadInputCatalogue.hba)
            try cluster.reload()
            try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            let wizard = try WizardRun()
            let prepared = try item.setup(cluster, wizard)
            defer { prepared.cleanup() }
            let before = try cluster.stateFingerprint()

            let message: String
            var exitCode: Int32
            switch item.channel {
            case .stderr, .inspectError:
                // The cluster listens on the host's loopback: its password on a command line would let
                // any local user watching /proc in while the case runs.
                let (output, shownBy) = try CommandLineWatch.whileRunning(lookingFor: cluster.local.superuserPassword) {
                    try ProcessRunner.run(Wizard.path, item.arguments(cluster), as: prepared.runAs,
                                          environment: prepared.environment.merging(["XDG_STATE_HOME": wizard.stateHome]) { $1 },
                                          timeoutSeconds: 120)
                }
                #expect(shownBy.isEmpty, "the superuser's password was on the command line of \(shownBy)")
                #expect(!item.arguments(cluster).joined(separator: " ").contains(cluster.local.superuserPassword),
                        "the case's own arguments hold the superuser's password")
                exitCode = output.exitCode
                let lines = (item.channel == .stderr ? output.stderr : output.stdout).split(separator: "\n").map(String.init)
                // Argument errors come with ArgumentParser's usage lines after the message.
                let relevant = item.channel == .stderr ? lines.filter { line in
                    !line.trimmingCharacters(in: .whitespaces).isEmpty && !line.hasPrefix("Usage:") && !line.hasPrefix("  See '")
                        && !line.hasPrefix("pg-ssl-wizard: warning: the connection string on the command line holds a password")
                }
                    : lines.filter { $0.hasPrefix("ERROR: ") }
                #expect(relevant.count == 1, "one message, not \(relevant.count):\n\(output.stdout)\n\(output.stderr)")
                message = relevant.joined(separator: "\n")
                #expect(!(output.stdout + output.stderr).contains(cluster.local.superuserPassword) && !(output.stdout + output.stderr).contains("wrong-secret-pw"),
                        "no password is echoed")
            case .screen:
                let terminal = try TmuxTerminal(Wizard.path, item.arguments(cluster), environment: ["XDG_STATE_HOME": wizard.stateHome],
                                                rows: 20, columns: 60)
                defer { terminal.close() }
                let screen = try terminal.waitFor("80x24", timeoutSeconds: 60)
                message = screen.split(separator: "\n").filter { $0.contains("80x24") }.joined(separator: " ").trimmingCharacters(in: .whitespaces)
                try terminal.send("q")
                exitCode = try terminal.exitCode()
            }
            #expect(exitCode == item.exitCode, "\(item.testDescription): exit \(exitCode): \(message)")
            for fragment in item.mentions {
                #expect(message.contains(fragment), "\(item.testDescription): the message should mention \(fragment): \(message)")
            }
            #expect(try cluster.stateFingerprint() == before, "\(item.testDescription): nothing changed")
            print("bad input [\(item.testDescription)] exit \(exitCode): \(message.prefix(240))")
        }
    }
}
