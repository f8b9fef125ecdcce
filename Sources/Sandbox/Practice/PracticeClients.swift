import ClusterFacts
import Executor
import Foundation
import HostIO

/// Background clients that behave like applications: each is a shell loop
/// around psql holding a session open, run as the cluster's owner with its
/// own sslmode. Terminated, it reconnects a second later: a `prefer` client
/// comes back encrypted once SSL is on, a `disable` client is refused by
/// the hostssl rules and says so in the sandbox's client log.
public final class PracticeClients: @unchecked Sendable {
    public struct Client: Hashable, Sendable {
        public var name: String
        public var sslmode: String
        public init(name: String, sslmode: String) {
            self.name = name
            self.sslmode = sslmode
        }
    }

    public let logFile: String
    private let cluster: LocalCluster
    private let pgpass: String
    private var processes: [ChildProcess] = []

    /// The pids of the client loops (runuser when run as root), for a later `--destroy`.
    public var pids: [Int32] { processes.map(\.pid) }

    /// No client yet; `add` starts them. Passwords come from the 0600 pgpass file.
    public init(cluster: LocalCluster, pgpass: String) throws(SandboxError) {
        self.cluster = cluster
        self.pgpass = pgpass
        logFile = cluster.root + "/clients.log"
        try LocalCluster.writeOwned(logFile, "", owner: cluster.owner, mode: 0o644)
    }

    /// Starts `clients` against the cluster over TCP on 127.0.0.1.
    public func add(_ clients: [Client]) throws(SandboxError) {
        let psql = cluster.binaries.path("psql")
        for client in clients {
            let conninfo = "host=127.0.0.1 port=\(cluster.port) user=\(cluster.superuser) dbname=postgres "
                + "sslmode=\(client.sslmode) application_name=\(client.name) connect_timeout=5"
            do {
                // The sandbox root as a last argument: `--destroy` finds the loops by it.
                processes.append(try ProcessRunner.spawn("/bin/sh", ["-c", Self.loop, client.name, psql, conninfo, client.sslmode, cluster.root],
                                                         as: cluster.owner, environment: ["PGPASSFILE": pgpass], logFile: logFile))
            } catch {
                throw .setupFailed("could not start the practice client \(client.name): \(operatorMessage(for: error))")
            }
        }
    }

    /// $0 name, $1 psql, $2 conninfo, $3 sslmode, $4 the sandbox root (a marker). psql writes its own
    /// errors to the log; the trap ends psql together with the loop. Like an
    /// application, each session runs a short query now and then and is idle
    /// between them, so the terminate step ends it at once, between two
    /// transactions; the feeding loop ends at its next write once psql is gone.
    static let loop = """
        trap 'kill $child 2>/dev/null; exit 0' TERM INT
        while :; do
          echo "$(date +%H:%M:%S) $0: connecting with sslmode=$3"
          (while :; do echo "SELECT 1;"; sleep 2; done) | "$1" "$2" -X -q -o /dev/null &
          child=$!
          wait $child
          echo "$(date +%H:%M:%S) $0: disconnected; reconnecting in 1 s"
          sleep 1
        done
        """

    /// The clients outlive this object on purpose: a kept sandbox's clients
    /// run on after `practice --keep` / `--no-ui` exits (`--destroy` ends them).
    /// Every client is signalled first, then waited for: runuser forwards the
    /// signal but waits up to 2 s itself, so one by one would add up.
    public func stop() {
        for process in processes where process.isRunning { kill(process.pid, SIGTERM) }
        for process in processes { process.terminate(graceSeconds: 5) }
        processes = []
    }
}
