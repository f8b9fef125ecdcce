import Foundation
import HostIO
import Sandbox
import Testing
import TestSupport

/// The locked-out scenario's operator logs in over TCP with a password that
/// root's libpq reads from a pgpass file, by path. The sandbox's root is the
/// server's OS user's: a file there could be swapped for a link to root's own
/// ~/.pgpass, and root's libpq would then offer root's passwords to the
/// sandbox's server, which that user runs (a `password` rule shows them in
/// clear). The operator's file is kept beside the practice record instead,
/// where only the wizard's user can write (docs/SECURITY.md, "Files").
struct PracticeOperatorPassfileTests {
    @Test func theServersUserCannotSwapTheOperatorsPassfile() throws {
        try TestEnvironment.requireRoot(for: "practice clusters run as the postgres OS user")
        let wizard = try WizardRun()
        let built = try wizard.run(["practice", "--scenario", PracticeScenario.lockedOut.rawValue, "--no-ui"], timeoutSeconds: 180)
        #expect(built.exitCode == 0, "\(built.stdout)\n\(built.stderr)")
        let environment = ["XDG_STATE_HOME": wizard.stateHome]
        let record = try #require(PracticeRecord.load(.lockedOut, environment: environment))
        var destroyed = false
        defer { if !destroyed { _ = try? wizard.run(["practice", "--scenario", PracticeScenario.lockedOut.rawValue, "--destroy"]) } }
        let passfile = try #require(record.operatorConninfo.split(separator: " ").first { $0.hasPrefix("passfile=") }
            .map { String($0.dropFirst("passfile=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'")) }, "the operator's connection string names a pgpass file")

        // The server's OS user puts a link in the file's place, as it could in a directory of its own.
        let swap = try ProcessRunner.run("/usr/bin/ln", ["-sfn", "/root/.pgpass", passfile], as: record.owner)
        #expect(swap.exitCode != 0, "the server's OS user replaced \(passfile)")
        var info = stat()
        #expect(lstat(passfile, &info) == 0 && info.st_mode & S_IFMT == S_IFREG, "\(passfile) is still a regular file, not a link")
        #expect(info.st_uid == geteuid() && info.st_mode & 0o077 == 0, "the wizard's user's own, 0600: mode \(String(info.st_mode & 0o777, radix: 8))")

        // And it still lets the operator in.
        let status = try wizard.run(["status", record.operatorConninfo, "--json"])
        #expect(status.exitCode != 3 && status.stdout.contains("\"transport\" : \"tcp\""), "\(status.stdout)\n\(status.stderr)")

        let destroy = try wizard.run(["practice", "--scenario", PracticeScenario.lockedOut.rawValue, "--destroy"])
        destroyed = true
        #expect(destroy.exitCode == 0, "\(destroy.stdout)\(destroy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: passfile), "the operator's pgpass file goes with the sandbox")
    }
}
