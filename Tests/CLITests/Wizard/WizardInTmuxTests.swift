import Foundation
import PostgresClient
import Testing
import TestSupport

/// The real binary in a real terminal (tmux) against a real cluster with
/// plain-text clients in network namespaces: every step walked by keys,
/// the screen asserted at each, then the server checked from outside.
struct WizardInTmuxTests {
    /// A cluster in a lab: an "office" namespace (and a standby host when asked) admitted by plain `host` rules.
    static func withOffice(standbyHost: Bool = false, _ body: (TestCluster, NetworkLab) throws -> Void) async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: standbyHost ? 2 : 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let replica = standbyHost ? "\nhost    replication  postgres  \(lab.clients[1].addressV4)/32    scram-sha-256   # standby" : ""
            try cluster.writeHBA("""
                # TYPE  DATABASE     USER      ADDRESS             METHOD
                local   all          all                           trust
                host    all          all       127.0.0.1/32        scram-sha-256
                host    all          all       \(lab.clients[0].addressV4)/32    scram-sha-256   # office
                """ + replica + "\n")
            try cluster.reload()
            try body(cluster, lab)
        }
    }

    @Test func walkingEveryStepEnforcesSSLWithAStandbyBackOverSSL() async throws {
        try await Self.withOffice(standbyHost: true) { cluster, lab in
            let (office, replicaHost) = (lab.clients[0], lab.clients[1])
            let clients = try Probe.hold(2, conninfo: cluster.tcpConninfo(host: office.serverV4) + " application_name=office-app", in: office.namespace)
            defer { clients.terminate() }
            let standby = try TestStandby.start(of: cluster, in: replicaHost, sslmode: "prefer")
            defer { standby.destroy() }
            try cluster.waitFor("the standby to stream") {
                try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'").rows.first?.int32("n") == 1
            }
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo], environment: ["XDG_STATE_HOME": wizard.stateHome],
                                            namespace: lab.serverNamespace)
            defer { terminal.close() }

            var screen = try terminal.waitFor("[SATISFIED] Preflight", "Lock-out guard: nobody who must keep access is locked out")
            #expect(screen.contains("3 other client session(s), 3 plain-text TCP"), "\(screen)")
            try terminal.send("Enter")
            try terminal.waitFor("Step 1 of 6: Certificates", "[TO DO] Certificates")
            try terminal.send("Enter")
            try terminal.waitFor("Put the server's certificate files in place", "y/Enter apply")
            try terminal.send("y")
            screen = try terminal.waitFor("Step 2 of 6: Turn SSL on", "[TO DO] Turn SSL on", "certificate and key check out")
            try terminal.send("Enter", "y")
            screen = try terminal.waitFor("Step 3 of 6: Require SSL in pg_hba.conf", "TLS proven: TLSv1.3")
            #expect(screen.contains("+hostssl all          all       \(office.addressV4)/32"), "the diff is shown:\n\(screen)")
            #expect(try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "require")], in: office.namespace)[0].ssl,
                    "phase A is live before the rewrite")
            try terminal.send("Enter", "y")
            try terminal.waitFor("Step 4 of 6: Reload and check", "wrote \(cluster.hbaFile)")
            #expect(try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable")], in: office.namespace)[0].ok,
                    "written but not live: plain text still gets in")
            try terminal.send("Enter", "y")
            screen = try terminal.waitFor("New SSL connection verified. Keep these changes?", "Reverting in")
            try terminal.send("y")
            screen = try terminal.waitFor("Step 5 of 6: End plain-text sessions", "plain TCP", "planned: 3 to terminate")
            try terminal.send("Enter")
            screen = try terminal.waitFor("Terminate 3 plain-text session(s)", "Type yes")
            try terminal.send("y", "Enter")
            try terminal.waitFor("Type yes and Enter to go on, or Esc to cancel.")
            try terminal.send("BSpace")
            try terminal.type("yes")
            try terminal.send("Enter")
            screen = try terminal.waitFor("Step 6 of 6: Confirm", "standbys stream again over SSL", timeoutSeconds: 120)
            try terminal.send("Enter", "y")
            screen = try terminal.waitFor("[ENFORCED] enforced: every planned step verified", "plain-text attempt (sslmode=disable): refused")
            #expect(screen.contains("plain TCP sessions left: 0"), "\(screen)")
            try terminal.send("q")
            #expect(try terminal.exitCode() == 0)

            let probes = try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable"),
                                             cluster.tcpConninfo(host: office.serverV4, sslmode: "require")], in: office.namespace)
            #expect(!probes[0].ok && probes[0].error?.contains("no encryption") == true, "\(probes[0])")
            #expect(probes[1].ok && probes[1].ssl)
            let overSSL = try cluster.sql("""
                SELECT count(*)::int AS n FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE s.ssl AND r.state = 'streaming'
                """).rows.first?.int32("n")
            #expect(overSSL == 1, "the standby streams again, over SSL")
        }
    }

    /// Issue 22, item 1: a client pinned to sslmode=disable that connects
    /// only once SSL is on shows up live on the rewrite step, before the
    /// rewrite would refuse it.
    @Test func aClientPinnedToPlainTextShowsUpLiveBeforeTheRewrite() async throws {
        try await Self.withOffice { cluster, lab in
            let office = lab.clients[0]
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo], environment: ["XDG_STATE_HOME": wizard.stateHome],
                                            namespace: lab.serverNamespace)
            defer { terminal.close() }
            try terminal.waitFor("[SATISFIED] Preflight")
            try terminal.send("Enter")
            try terminal.waitFor("Step 1 of 6: Certificates", "[TO DO] Certificates")
            try terminal.send("Enter")
            try terminal.waitFor("Put the server's certificate files in place", "y/Enter apply")
            try terminal.send("y")
            try terminal.waitFor("Step 2 of 6: Turn SSL on", "[TO DO] Turn SSL on", "certificate and key check out")
            try terminal.send("Enter", "y")
            var screen = try terminal.waitFor("Step 3 of 6: Require SSL in pg_hba.conf", "TLS proven: TLSv1.3")
            #expect(!screen.contains("Connected in plain text since SSL was offered"), "nobody pinned yet:\n\(screen)")
            let pinned = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: office.serverV4, sslmode: "disable") + " application_name=nightly",
                                        in: office.namespace)
            defer { pinned.terminate() }
            screen = try terminal.waitFor("postgres@postgres from \(office.addressV4) (nightly): 1 session(s)", timeoutSeconds: 20)
            #expect(screen.contains("Connected in plain text since SSL was offered"), "\(screen)")
            try terminal.send("q")
        }
    }

    @Test func quittingBetweenStepsAndStartingAgainResumesTheRun() async throws {
        try await Self.withOffice { cluster, lab in
            let office = lab.clients[0]
            let clients = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: office.serverV4), in: office.namespace)
            defer { clients.terminate() }
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let environment = ["XDG_STATE_HOME": wizard.stateHome]
            let first = try TmuxTerminal(Wizard.path, [cluster.socketConninfo], environment: environment, namespace: lab.serverNamespace,
                                         rows: 24, columns: 80)
            defer { first.close() }
            try first.waitFor("[SATISFIED] Preflight")
            try first.send("Enter", "Enter")
            try first.waitFor("Put the server's certificate files in place")
            try first.send("y")
            try first.waitFor("Step 2 of 6: Turn SSL on")
            try first.send("Enter", "y")
            try first.waitFor("Step 3 of 6: Require SSL in pg_hba.conf", "TLS proven")
            try first.send("q")
            #expect(try first.exitCode() == 2, "quit with the run unfinished")
            let before = cluster.hbaText

            let second = try TmuxTerminal(Wizard.path, [cluster.socketConninfo], environment: environment, namespace: lab.serverNamespace,
                                          rows: 24, columns: 80)
            defer { second.close() }
            let screen = try second.waitFor("Step 3 of 6: Require SSL in pg_hba.conf", "was interrupted before it finished")
            #expect(screen.contains("ssl on ✓"), "the verified steps stay verified:\n\(screen)")
            #expect(cluster.hbaText == before, "nothing changed by starting again")
            try second.send("Enter")
            try second.waitFor("Write the rewritten pg_hba.conf")
            try second.send("y")
            try second.waitFor("Step 4 of 6: Reload and check")
            try second.send("Enter", "y")
            try second.waitFor("Keep these changes?")
            try second.send("Enter")
            try second.waitFor("Step 5 of 6: End plain-text sessions")
            try second.send("Enter", "y")
            try second.waitFor("Step 6 of 6: Confirm")
            try second.send("Enter", "y")
            try second.waitFor("[ENFORCED]")
            try second.send("Enter")
            #expect(try second.exitCode() == 0)
            let clusters = try FileManager.default.contentsOfDirectory(atPath: wizard.stateHome + "/pg-ssl-wizard").filter { $0.allSatisfy(\.isNumber) }
            #expect(!clusters.isEmpty)
        }
    }

    @Test func anUnansweredKeepPromptRevertsTheRewrite() async throws {
        try await Self.withOffice { cluster, lab in
            let office = lab.clients[0]
            let original = cluster.hbaText
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            // Rows enough for the revert's log line to stay in view below the result's paths.
            let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo, "--keep-seconds", "5"],
                                            environment: ["XDG_STATE_HOME": wizard.stateHome], namespace: lab.serverNamespace, rows: 50)
            defer { terminal.close() }
            try terminal.walkToTheKeepQuestion()
            #expect(!(try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable")], in: office.namespace)[0].ok),
                    "while the prompt waits the rules are live")
            // Nobody answers.
            let screen = try terminal.waitFor("[NOT ENFORCED]", "rolled back", timeoutSeconds: 60)
            #expect(screen.contains("no answer within 5 s: reverting the changes"), "\(screen)")
            #expect(cluster.hbaText == original, "the old pg_hba.conf is back")
            #expect(try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable")], in: office.namespace)[0].ok,
                    "and loaded: plain text gets in again")
            try terminal.send("q")
            #expect(try terminal.exitCode() == 1)
        }
    }

    @Test func aTerminalThatCannotMoveTheCursorGetsOneClearMessage() async throws {
        try await TestCluster.with { cluster in
            let wizard = try WizardRun()
            let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo],
                                            environment: ["XDG_STATE_HOME": wizard.stateHome, "TERM": "dumb"])
            defer { terminal.close() }
            #expect(try terminal.exitCode() == 3)
            let screen = try terminal.screen()
            #expect(screen.contains("pg-ssl-wizard: the terminal type 'dumb' cannot move the cursor"), "\(screen)")
            #expect(!FileManager.default.fileExists(atPath: wizard.stateHome + "/pg-ssl-wizard"), "nothing was started")
        }
    }
}

/// The terminal conventions: resize, Ctrl-C, SIGTERM, and the terminal
/// given back in its normal modes every time.
struct WizardTerminalTests {
    @Test func resizeRedrawsAndCtrlCQuitsWithTheTerminalRestored() async throws {
        try await TestCluster.with { cluster in
            let wizard = try WizardRun()
            let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo], environment: ["XDG_STATE_HOME": wizard.stateHome],
                                            rows: 24, columns: 80)
            defer { terminal.close() }
            var screen = try terminal.waitFor("[SATISFIED] Preflight", "Preflight ✓ certs")
            #expect(!screen.contains("│ 1 certs"), "80 columns: the compact step rail")
            try terminal.resize(rows: 40, columns: 120)
            screen = try terminal.waitFor("│ 1 certs", "┐┌─ Why")
            try terminal.resize(rows: 20, columns: 70)
            try terminal.waitFor("needs a terminal of at least 80x24; this one is 70x20")
            try terminal.resize(rows: 24, columns: 80)
            try terminal.waitFor("[SATISFIED] Preflight")
            try terminal.send("C-c")
            #expect(try terminal.exitCode() == 0)
            #expect(try terminal.terminalModes().trimmingCharacters(in: .whitespaces) == "icrnl icanon echo", "line mode, echo and CR mapping are back")
        }
    }

    @Test func sigtermLeavesTheTerminalRestored() async throws {
        try await TestCluster.with { cluster in
            let wizard = try WizardRun()
            let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo], environment: ["XDG_STATE_HOME": wizard.stateHome])
            defer { terminal.close() }
            try terminal.waitFor("[SATISFIED] Preflight")
            kill(try terminal.wizardPID(), SIGTERM)
            #expect(try terminal.exitCode() == 128 + SIGTERM)
            #expect(try terminal.terminalModes().trimmingCharacters(in: .whitespaces) == "icrnl icanon echo", "line mode, echo and CR mapping are back")
        }
    }

    @Test func noColorKeepsMeaningInAttributesOnly() async throws {
        try await TestCluster.with { cluster in
            let wizard = try WizardRun()
            var screens: [String: String] = [:]
            for (name, extra) in [("colour", [String: String]()), ("NO_COLOR", ["NO_COLOR": "1"])] {
                let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo],
                                                environment: extra.merging(["XDG_STATE_HOME": wizard.stateHome]) { $1 })
                defer { terminal.close() }
                try terminal.waitFor("[SATISFIED] Preflight")
                screens[name] = try terminal.screenWithAttributes()
                try terminal.send("q")
                _ = try terminal.exitCode()
            }
            let colour = try #require(screens["colour"]), plain = try #require(screens["NO_COLOR"])
            #expect(colour.contains("\u{1b}[32m") || colour.contains("\u{1b}[32;"), "green for satisfied with colour")
            #expect(!plain.contains("[32m") && !plain.contains("[36m") && !plain.contains("[33m"), "no foreground colour under NO_COLOR")
            #expect(plain.contains("\u{1b}[7m") || plain.contains(";7m"), "the header bar in reverse video instead")
        }
    }
}
