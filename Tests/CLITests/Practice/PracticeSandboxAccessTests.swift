import Foundation
import HostIO
import Sandbox
import Testing
import TestSupport

/// What a practice sandbox opens on this machine. Its servers run as the
/// postgres OS user (who often owns a real cluster here too) and let their
/// owner in over the unix socket without a password: a socket anyone may
/// use would let any local user log in as the superuser and run programs
/// as that OS user (`COPY ... TO PROGRAM`). And the server a sandbox runs
/// is that user's to reconfigure: asked for a password over the socket,
/// root's libpq must not answer with one of root's own.
struct PracticeSandboxAccessTests {
    /// `practice --no-ui`: the scenario built and kept, its record as the wizard saved it.
    static func build(_ scenario: PracticeScenario, _ wizard: WizardRun) throws -> PracticeRecord {
        let built = try wizard.run(["practice", "--scenario", scenario.rawValue, "--no-ui"], timeoutSeconds: 180)
        #expect(built.exitCode == 0, "\(built.stdout)\n\(built.stderr)")
        return try #require(PracticeRecord.load(scenario, environment: ["XDG_STATE_HOME": wizard.stateHome]))
    }

    @Test func anotherLocalUserCannotLogInThroughASandboxSocket() throws {
        try TestEnvironment.requireRoot(for: "practice clusters run as the postgres OS user; the look is as nobody")
        let stranger = try #require(OSUser.named("nobody"), "a `nobody` user")
        let wizard = try WizardRun()
        let record = try Self.build(.replica, wizard)
        defer { _ = try? wizard.run(["practice", "--scenario", PracticeScenario.replica.rawValue, "--destroy"]) }
        #expect(record.roots.count == 2, "the primary and its standby")
        for root in record.roots {
            let sockets = try FileManager.default.contentsOfDirectory(atPath: root + "/sock").filter { $0.hasPrefix(".s.PGSQL.") && !$0.hasSuffix(".lock") }
            let port = try #require(sockets.first.map { String($0.dropFirst(".s.PGSQL.".count)) }, "a server socket in \(root)/sock")
            let login = try ProcessRunner.run(record.binDirectory + "/psql",
                                              ["host=\(root)/sock port=\(port) user=\(record.owner.name) dbname=postgres", "-X", "-At", "-c", "SELECT 1"],
                                              as: stranger, timeoutSeconds: 30)
            #expect(login.exitCode != 0 && login.stderr.contains("Permission denied"),
                    "\(stranger.name) logged in through \(root)/sock: \(login.stdout) \(login.stderr)")
            // The owner still gets in (the sandbox's own scripts), and so does root (the wizard).
            let owner = try ProcessRunner.run(record.binDirectory + "/psql",
                                              ["host=\(root)/sock port=\(port) user=\(record.owner.name) dbname=postgres", "-X", "-At", "-c", "SELECT 1"],
                                              as: record.owner, timeoutSeconds: 30)
            #expect(owner.exitCode == 0 && owner.stdout.contains("1"), "\(owner.stderr)")
        }
        let status = try wizard.run(["status", record.operatorConninfo, "--json"])
        #expect(status.exitCode != 3, "the operator gets in: \(status.stderr)")
    }

    /// `practice` connects to the sandbox it has just built: a password in
    /// root's environment (`PGPASSWORD`, or a service's) would go before the
    /// sandbox's pgpass file. The locked-out operator logs in with SCRAM over
    /// TCP, so a stranger's password is refused where it would have been sent.
    @Test func practiceLogsInWithTheSandboxsPasswordNotTheEnvironments() throws {
        try TestEnvironment.requireRoot(for: "practice clusters run as the postgres OS user")
        let wizard = try WizardRun()
        let terminal = try TmuxTerminal(Wizard.path, ["practice", "--scenario", PracticeScenario.lockedOut.rawValue],
                                        environment: ["XDG_STATE_HOME": wizard.stateHome, "PGPASSWORD": "roots-own-secret"],
                                        rows: 40, columns: 120)
        defer {
            terminal.close()
            _ = try? wizard.run(["practice", "--scenario", PracticeScenario.lockedOut.rawValue, "--destroy"])
        }
        let screen = try terminal.waitFor("practice locked-out", timeoutSeconds: 180)
        #expect(!screen.contains("password authentication failed"), "\(screen)")
        try terminal.send("q")
        try terminal.waitFor("Keep the practice sandbox for later? [y/N]")
        try terminal.send("n", "Enter")
        try terminal.waitFor("The practice sandbox has been stopped and removed.")
    }

    @Test func rootsOwnPasswordsStayHomeWhenTheSandboxAsksForOne() throws {
        try TestEnvironment.requireRoot(for: "practice clusters run as the postgres OS user")
        let wizard = try WizardRun()
        let record = try Self.build(.basic, wizard)
        defer { _ = try? wizard.run(["practice", "--scenario", PracticeScenario.basic.rawValue, "--destroy"]) }

        // Root's own pgpass file, with a line that matches any server.
        let home = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let decoy = home + "/pgpass"
        try "*:*:*:*:roots-own-secret\n".write(toFile: decoy, atomically: false, encoding: .utf8)
        chmod(decoy, 0o600)

        // The server's OS user asks every socket login for its password in clear, and reloads.
        let data = record.dataDirectories[0]
        let rewrite = try ProcessRunner.run("/bin/sh", ["-c", "printf 'local all all password\\nhost all all 127.0.0.1/32 scram-sha-256\\n' > \"$1\"", "sh", data + "/pg_hba.conf"],
                                            as: record.owner, timeoutSeconds: 30)
        #expect(rewrite.exitCode == 0, "\(rewrite.stderr)")
        let reload = try ProcessRunner.run(record.binDirectory + "/pg_ctl", ["-D", data, "reload"], as: record.owner, timeoutSeconds: 30)
        #expect(reload.exitCode == 0, "\(reload.stderr)")

        // Root's libpq answers with the sandbox's own password, never the line from root's file.
        let status = try wizard.run(["status", record.operatorConninfo, "--json"], environment: ["PGPASSFILE": decoy])
        #expect(status.exitCode != 3 && !status.stderr.contains("password authentication failed"),
                "root's pgpass line was offered to the sandbox's server: \(status.stderr)")
    }
}
