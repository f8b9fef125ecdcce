import HostIO

/// A client that sends its startup packet over TCP and never answers the
/// password request: from 18 its backend stays in `pg_stat_activity` as
/// `starting`, without a user and with `ssl` false even over TLS, until
/// `authentication_timeout` (60 s by default), when the script ends too.
/// Anyone who reaches the port can do
/// this where the rules ask for a password; no credentials are needed.
public struct StalledStartup {
    public enum Kind { case plain, replication, tls }
    let process: ChildProcess

    public static func start(_ cluster: TestCluster, _ kind: Kind = .plain) throws -> StalledStartup {
        let script = """
            import socket, ssl, struct
            s = socket.create_connection(("127.0.0.1", \(cluster.port)))
            if \(kind == .tls ? "True" : "False"):
                s.sendall(struct.pack("!II", 8, 80877103))
                assert s.recv(1) == b"S"
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                s = context.wrap_socket(s)
            body = struct.pack("!I", 196608) + b"user\\0postgres\\0database\\0postgres\\0" + \(kind == .replication ? "b\"replication\\0true\\0\"" : "b\"\"") + b"\\0"
            s.sendall(struct.pack("!I", len(body) + 4) + body)
            # Until the server closes it (the test ends it, or authentication_timeout passes).
            while s.recv(1024):
                pass
            """
        func waiting() throws -> Int32 {
            try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'starting' AND client_port > 0 AND backend_type = $1",
                            [kind == .replication ? "walsender" : "client backend"]).rows.first?.int32("n") ?? 0
        }
        let before = try waiting()
        let stalled = StalledStartup(process: try ProcessRunner.spawn("/usr/bin/python3", ["-c", script]))
        do {
            try cluster.waitFor("the connection to wait in authentication") { try waiting() > before }
        } catch {
            stalled.stop()
            throw error
        }
        return stalled
    }

    public func stop() { process.terminate() }
}
