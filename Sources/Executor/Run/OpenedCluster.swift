import ClusterFacts
import Foundation
import PostgresClient

/// What `resume`, `keep` and `rollback` open before touching a run: the
/// connection, the cluster as it is now, and its state directory; and the
/// run context built from them. One way, so the commands cannot drift.
public struct OpenedCluster {
    public let target: ConnectionTarget
    public let connection: Connection
    public let snapshot: ClusterSnapshot
    public let directory: StateDirectory

    public static func open(_ target: ConnectionTarget) throws -> OpenedCluster {
        let connection = try Connection.connect(target)
        let snapshot = try ServerInspector(connection: connection).snapshot()
        let directory = try StateDirectory.forCluster(systemIdentifier: snapshot.server.systemIdentifier)
        return OpenedCluster(target: target, connection: connection, snapshot: snapshot, directory: directory)
    }

    /// The context a run of this cluster carries out its effects with.
    public func context(run: String) -> RunContext { RunContext(target: target, snapshot: snapshot, stamp: run) }

    /// The cluster's latest run, taken up where it stopped (the lock taken).
    public func resumeLatestRun() throws -> RunDriver {
        try RunDriver.resume(context: context(run:), connection: connection, directory: directory)
    }
}
