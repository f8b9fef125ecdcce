import ClusterFacts
import Executor
import Foundation

/// A throwaway cluster set up as a practice scenario, with its clients.
/// `basic`: ssl off, no certificates, `host` rules with passwords, plain
/// clients at libpq's default sslmode=prefer. The clients are on loopback
/// (everything runs on this machine), so practice plans convert loopback rules too.
public final class PracticeSandbox: @unchecked Sendable {
    public let cluster: LocalCluster
    public let clients: PracticeClients

    public static let basicHBA = """
        # TYPE  DATABASE  USER  ADDRESS        METHOD
        # The operator (you) over the unix socket: never touched by the rewrite.
        local   all       all                  trust
        # Applications over TCP, with passwords, in plain text today.
        host    all       all   127.0.0.1/32   scram-sha-256
        host    all       all   ::1/128        scram-sha-256

        """

    public static let basicClients = [
        PracticeClients.Client(name: "billing", sslmode: "prefer"),
        PracticeClients.Client(name: "reports", sslmode: "prefer"),
        PracticeClients.Client(name: "crm", sslmode: "prefer"),
    ]

    /// Creates, starts and populates the sandbox under `root` (removed on failure).
    public static func create(root: String) throws(SandboxError) -> PracticeSandbox {
        let binaries = try PostgresBinaries.locate()
        let cluster = try LocalCluster.create(binaries: binaries, root: root, owner: LocalCluster.defaultOwner())
        do {
            try cluster.writeHBA(basicHBA)
            try cluster.start()
            let clients = try PracticeClients.start(basicClients, cluster: cluster)
            return PracticeSandbox(cluster: cluster, clients: clients)
        } catch {
            cluster.destroy()
            throw error
        }
    }

    private init(cluster: LocalCluster, clients: PracticeClients) {
        self.cluster = cluster
        self.clients = clients
    }

    /// Waits until the clients are connected, so the wizard's first look sees them.
    public func waitForClients(count: Int, timeoutSeconds: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let output = try? ProcessRunner.run(cluster.binaries.directory + "/psql",
                                                   [cluster.socketConninfo(), "-X", "-At", "-c",
                                                    "SELECT count(*) FROM pg_stat_activity WHERE client_port > 0 AND backend_type = 'client backend'"],
                                                   as: cluster.owner, timeoutSeconds: 10),
               Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= count {
                return true
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    /// Stops the clients and the server and removes every file.
    public func destroy() {
        clients.stop()
        cluster.destroy()
    }
}
