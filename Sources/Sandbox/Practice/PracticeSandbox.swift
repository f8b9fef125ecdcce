import ClusterFacts
import Executor
import Foundation
import HostIO

/// A throwaway cluster set up as a practice scenario, with its clients (and
/// the replica scenario's standby). Everything runs on this machine, so the
/// clients are on loopback and practice plans convert loopback rules too.
public final class PracticeSandbox: @unchecked Sendable {
    public let scenario: PracticeScenario
    public let cluster: LocalCluster
    public let standby: LocalCluster?
    public let clients: PracticeClients
    public let record: PracticeRecord

    /// Builds the scenario under `root` (the replica's standby under a new directory of its own),
    /// saves its record, and returns it running; on failure removes it all.
    public static func create(_ scenario: PracticeScenario, root: String) throws(SandboxError) -> PracticeSandbox {
        let binaries = try PostgresBinaries.locate()
        let cluster = try LocalCluster.create(binaries: binaries, root: root, owner: LocalCluster.defaultOwner())
        var standby: LocalCluster?
        var clients: PracticeClients?
        do throws(SandboxError) {
            try cluster.writeHBA(scenario.hba)
            try cluster.start()
            let pgpass = cluster.root + "/pgpass"
            try LocalCluster.writeOwned(pgpass, cluster.passfileLine(host: "127.0.0.1"), owner: cluster.owner, mode: 0o600)
            let started = try PracticeClients(cluster: cluster, pgpass: pgpass)
            clients = started
            try started.add(Array(scenario.clients.prefix(scenario.clientsBeforeSSL)))
            try waitForClients(cluster, count: scenario.clientsBeforeSSL)
            if let days = scenario.startingCertificateDays {
                try SandboxCertificates.install(cluster, days: days)
                try cluster.appendConfiguration("ssl = on\nssl_ca_file = 'root.crt'")
                try psql(cluster, "SELECT pg_reload_conf()")
                try started.add(Array(scenario.clients.dropFirst(scenario.clientsBeforeSSL)))
                try waitForClients(cluster, count: scenario.clients.count)
            }
            if scenario == .replica {
                // A name nobody could have made first (the server's user could, beside a known root).
                let standbyRoot = try SandboxFiles.newRoot(prefix: (root as NSString).lastPathComponent + "-standby")
                do throws(SandboxError) {
                    standby = try SandboxStandby.create(of: cluster, pgpass: pgpass, root: standbyRoot)
                } catch {
                    SandboxFiles.remove(standbyRoot, owner: cluster.owner)
                    throw error
                }
                try waitFor(cluster, "the standby to stream",
                            "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", atLeast: 1)
            }
            // Every operator connection names a pgpass file of its own, the wizard's user's: a server
            // the sandbox's owner may reconfigure that asks for a password then gets this one, never
            // a line of root's own ~/.pgpass. Not the sandbox's pgpass either: its root is the owner's.
            let passfile = try PracticeRecord.writeOperatorPassfile(scenario, cluster.passfileLine())
            let operatorConninfo = scenario.operatorOverPlainTCP
                ? cluster.tcpConninfo(passfile: passfile) : cluster.socketConninfo(passfile: passfile)
            let record = PracticeRecord(scenario: scenario, roots: [root] + (standby.map { [$0.root] } ?? []),
                                        dataDirectories: [cluster.dataDirectory] + (standby.map { [$0.dataDirectory] } ?? []),
                                        binDirectory: binaries.directory, owner: cluster.owner, operatorConninfo: operatorConninfo,
                                        serverLog: cluster.logFile, clientsLog: started.logFile, createdAt: Date())
            try record.save()
            return PracticeSandbox(scenario: scenario, cluster: cluster, standby: standby, clients: started, record: record)
        } catch {
            clients?.stop()
            standby?.destroy()
            cluster.destroy()
            unlink(PracticeRecord.operatorPassfile(scenario))
            throw error
        }
    }

    private init(scenario: PracticeScenario, cluster: LocalCluster, standby: LocalCluster?, clients: PracticeClients, record: PracticeRecord) {
        self.scenario = scenario
        self.cluster = cluster
        self.standby = standby
        self.clients = clients
        self.record = record
    }

    /// Stops the clients, the standby and the server; removes every file and the record.
    public func destroy() {
        clients.stop()
        standby?.destroy()
        cluster.destroy()
        record.destroy()
    }

    static func waitForClients(_ cluster: LocalCluster, count: Int) throws(SandboxError) {
        try waitFor(cluster, "\(count) practice clients to connect",
                    "SELECT count(*) FROM pg_stat_activity WHERE client_port > 0 AND backend_type = 'client backend'", atLeast: count)
    }

    static func waitFor(_ cluster: LocalCluster, _ what: String, _ countQuery: String, atLeast count: Int,
                        timeoutSeconds: Double = 30) throws(SandboxError) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let text = try? psql(cluster, countQuery), Int(text) ?? 0 >= count { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw .setupFailed("waited \(Int(timeoutSeconds)) s for \(what); server log: \(cluster.logTail())")
    }

    /// One statement over the unix socket as the owner; its single value.
    @discardableResult
    static func psql(_ cluster: LocalCluster, _ sql: String) throws(SandboxError) -> String {
        do {
            let output = try ProcessRunner.run(cluster.binaries.path("psql"), [cluster.socketConninfo(), "-X", "-At", "-c", sql],
                                               as: cluster.owner, timeoutSeconds: 30)
            guard output.exitCode == 0 else { throw SandboxError.setupFailed("psql: \(output.stderr)") }
            return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch let error as SandboxError {
            throw error
        } catch {
            throw .setupFailed("psql: \(operatorMessage(for: error))")
        }
    }
}
