import HostIO

/// A client that sends its startup packet over plain TCP and never answers
/// the password request: from 18 its backend stays in `pg_stat_activity` as
/// `starting`, without a user, until `authentication_timeout`. Anyone who
/// reaches the port can do this; no credentials are needed.
public struct StalledStartup {
    let process: ChildProcess

    /// `replication: true` asks for a walsender (`replication=true` in the startup packet).
    public static func start(_ cluster: TestCluster, replication: Bool = false) throws -> StalledStartup {
        let options = replication ? "b\"replication\\0true\\0\"" : "b\"\""
        let script = """
            import socket, struct, time
            s = socket.create_connection(("127.0.0.1", \(cluster.port)))
            body = struct.pack("!I", 196608) + b"user\\0postgres\\0database\\0postgres\\0" + \(options) + b"\\0"
            s.sendall(struct.pack("!I", len(body) + 4) + body)
            s.recv(1)
            time.sleep(30)
            """
        let stalled = StalledStartup(process: try ProcessRunner.spawn("/usr/bin/python3", ["-c", script]))
        do {
            try cluster.waitFor("the connection to wait in authentication") {
                try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'starting' AND client_port > 0 AND backend_type = $1",
                                [replication ? "walsender" : "client backend"]).rows.first?.int32("n") == 1
            }
        } catch {
            stalled.stop()
            throw error
        }
        return stalled
    }

    public func stop() { process.terminate() }
}
