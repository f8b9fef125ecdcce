import Executor
import Foundation
import HostIO
import PostgresClient
import Testing
import TestSupport

/// Faults from outside the wizard, made for real while it is stopped at a
/// named point: the server killed around each reload, and the network to a
/// client cut just before its session is terminated. Each ends with the
/// files whole, the operator able to connect, and `resume` or `rollback`
/// finishing the run.
struct FaultInjectionTests {
    static let hba = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 10.0.0.0/8 scram-sha-256\n"

    /// SSL off, host rules and one plain-text session; the file before and after the rewrite.
    static func prepare(_ cluster: TestCluster) throws -> (original: String, candidate: String) {
        try cluster.writeHBA(hba)
        try cluster.reload()
        try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
        return (cluster.hbaText, cluster.hbaText.replacingOccurrences(of: "\nhost ", with: "\nhostssl "))
    }

    static func apply(_ cluster: TestCluster) -> [String] {
        ["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "self-signed"]
    }

    /// Phase A's reload (ssl on) and phase B's (the new pg_hba.conf): the
    /// postmaster is killed with SIGKILL while the wizard waits to reload.
    @Test(arguments: ["before:reload", "after:hba_rewrite"])
    func serverKilledAroundAReload(point: String) async throws {
        try await TestCluster.with { cluster in
            let (original, candidate) = try Self.prepare(cluster)
            let wizard = try WizardRun()
            let (child, log) = try wizard.startPaused(Self.apply(cluster), at: point)
            let postmaster = try #require(cluster.local.postmasterPID)
            kill(postmaster, SIGKILL)
            try cluster.waitFor("the server to be gone") { !cluster.local.isRunning }
            let (code, output) = try wizard.continueRun(child, log: log)
            #expect(code != 0, "the run cannot finish without a server: \(output)")
            let told = Self.message(output)
            #expect(told.contains("server") || told.contains("connect"), "the operator is told why: \(output)")

            try cluster.local.start()
            #expect([original, candidate].contains(cluster.hbaText), "pg_hba.conf is whole: \(cluster.hbaText)")
            #expect(try cluster.sql("SELECT 1 AS one").rows.first?.int32("one") == 1, "the operator can connect")
            let recovery = try Self.finish(wizard, cluster)
            print("fault [server killed at \(point) then \(recovery)]: exit \(code), \"\(told)\"; pg_hba.conf whole, operator connected, \(recovery) finished")
        }
    }

    /// Someone else restarts the server (pg_ctl restart) after the new
    /// pg_hba.conf is written and before the wizard reloads it: the wizard's
    /// session is gone, the restart loaded everything at once.
    @Test func serverRestartedBySomeoneElseDuringTheRun() async throws {
        try await TestCluster.with { cluster in
            let (original, candidate) = try Self.prepare(cluster)
            let wizard = try WizardRun()
            let (child, log) = try wizard.startPaused(Self.apply(cluster), at: "after:hba_rewrite")
            try cluster.local.restart()
            let (code, output) = try wizard.continueRun(child, log: log)
            #expect([original, candidate].contains(cluster.hbaText), "pg_hba.conf is whole: \(cluster.hbaText)")
            #expect(try cluster.sql("SELECT 1 AS one").rows.first?.int32("one") == 1, "the operator can connect")
            let told = Self.message(output)
            if code != 0 { #expect(told.contains("server") || told.contains("connect"), "the operator is told why: \(output)") }
            let recovery = code == 0 ? "none" : try Self.finish(wizard, cluster)
            if code == 0 { #expect(output.contains("enforced"), "\(output)") }
            print("fault [server restarted by someone else after:hba_rewrite then \(recovery)]: exit \(code), \"\(told)\"; pg_hba.conf whole, operator connected, run \(code == 0 ? "went on and enforced" : "\(recovery) finished")")
        }
    }

    /// The link to a plain-text client goes down just before the terminate
    /// step: its backend still ends (the server signals it, no round trip),
    /// and the run finishes.
    @Test func networkToAClientCutBeforeItsSessionIsTerminated() async throws {
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let office = lab.clients[0]
            try cluster.writeHBA("local all all trust\nhost all all \(office.addressV4)/32 scram-sha-256\n")
            try cluster.reload()
            let client = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: office.serverV4) + " application_name=office-app",
                                        in: office.namespace)
            defer { client.terminate() }
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let (child, log) = try wizard.startPaused(["apply", cluster.socketConninfo, "--yes", "--json", "--create-certificates", "self-signed"],
                                                      at: "before:terminate")
            try ProcessRunner.checked("ip", ["-n", office.namespace, "link", "set", "eth0", "down"])
            let (code, output) = try wizard.continueRun(child, log: log)
            #expect(code == 0, "\(output)")
            #expect(output.contains("enforced"), "\(output)")
            let left = try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'office-app'")
            #expect(try left.rows.first?.int32("n") == 0, "the cut-off client's backend is gone")
            #expect(cluster.hbaText.contains("hostssl all all \(office.addressV4)/32"))
            #expect(try cluster.sql("SELECT 1 AS one").rows.first?.int32("one") == 1, "the operator can connect")
            try ProcessRunner.checked("ip", ["-n", office.namespace, "link", "set", "eth0", "up"])
            let refused = try Probe.attempts([cluster.tcpConninfo(host: office.serverV4, sslmode: "disable")], in: office.namespace).first
            #expect(refused?.ok == false && refused?.error?.contains("no encryption") == true, "\(String(describing: refused))")
            print("fault [network to a client cut before terminate then none]: backend ended, run enforced, operator connected")
        }
    }

    /// What the operator read: the wizard's own line (JSON aside).
    static func message(_ output: String) -> String {
        let lines = output.split(separator: "\n").map(String.init)
        if let line = lines.last(where: { $0.hasPrefix("pg-ssl-wizard:") }) { return String(line.prefix(300)) }
        // `apply --json`: the summary's outcome.
        guard let line = lines.last(where: { $0.contains("\"outcome\"") }), let start = line.range(of: ": \"") else { return "" }
        return String(line[start.upperBound...].dropLast(line.hasSuffix("\",") ? 2 : 1).prefix(300))
    }

    /// After a fault: `resume` when the run can go on, else `rollback`; either
    /// must finish with the server in a consistent state.
    static func finish(_ wizard: WizardRun, _ cluster: TestCluster) throws -> String {
        let resumed = try wizard.run(["resume", cluster.socketConninfo, "--json"])
        if resumed.exitCode == 0 {
            #expect(try ApplySummary.decode(resumed).outcome.hasPrefix("enforced"), "\(resumed.stdout)")
            #expect(try wizard.run(["status", cluster.socketConninfo]).exitCode == 0)
            return "resume"
        }
        let rolledBack = try wizard.run(["rollback", cluster.socketConninfo])
        #expect(rolledBack.exitCode == 0, "neither resume (\(resumed.stdout)\(resumed.stderr)) nor rollback finished: \(rolledBack.stdout)\(rolledBack.stderr)")
        #expect(try Probe.attempts([cluster.tcpConninfo(sslmode: "disable")]).first?.ok == true, "the old rules are live again")
        return "rollback"
    }
}
