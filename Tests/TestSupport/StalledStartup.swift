import Foundation
import HostIO

/// A client that sends its startup packet over TCP and never answers the
/// password request: from 18 its backend stays in `pg_stat_activity` as
/// `starting`, without a user and with `ssl` false even over TLS, until
/// `authentication_timeout` (60 s by default), when the script ends too.
/// Anyone who reaches the port can do this where the rules ask for a
/// password; no credentials are needed.
public struct StalledStartup {
    /// `handshakeOnly`: the TLS handshake and then nothing, no startup packet.
    public enum Kind { case plain, replication, tls, handshakeOnly }
    let process: ChildProcess
    let kind: Kind
    let log: String

    /// Connects and sends the startup packet at once.
    public static func start(_ cluster: TestCluster, _ kind: Kind = .plain) throws -> StalledStartup {
        let stalled = try connect(cluster, kind)
        try stalled.sendStartup(cluster)
        return stalled
    }

    /// Connects now (the postmaster forks the backend with the rules it has
    /// now); the startup packet goes only at `sendStartup`, and until then
    /// no view lists the connection.
    public static func connect(_ cluster: TestCluster, _ kind: Kind = .plain) throws -> StalledStartup {
        let script = """
            import signal, socket, ssl, struct, sys
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
            s = socket.create_connection(("127.0.0.1", \(cluster.port)))
            print("connected", flush=True)
            signal.sigwait([signal.SIGUSR1])
            if \([.tls, .handshakeOnly].contains(kind) ? "True" : "False"):
                s.sendall(struct.pack("!II", 8, 80877103))
                assert s.recv(1) == b"S"
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                s = context.wrap_socket(s)
                print("handshake done", s.version(), flush=True)
            if \(kind == .handshakeOnly ? "True" : "False"):
                signal.sigwait([signal.SIGUSR1])
                sys.exit(0)
            body = struct.pack("!I", 196608) + b"user\\0postgres\\0database\\0postgres\\0" + \(kind == .replication ? "b\"replication\\0true\\0\"" : "b\"\"") + b"\\0"
            s.sendall(struct.pack("!I", len(body) + 4) + body)
            # Until the server closes it (the test ends it, or authentication_timeout passes).
            while s.recv(1024):
                pass
            """
        let directory = FileManager.default.temporaryDirectory.path + "/stalled-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let log = directory + "/out"
        let stalled = StalledStartup(process: try ProcessRunner.spawn("/usr/bin/python3", ["-c", script], logFile: log), kind: kind, log: log)
        do {
            try cluster.waitFor("the client to connect") { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("connected") == true }
        } catch {
            stalled.stop()
            throw error
        }
        return stalled
    }

    /// Sends the startup packet and waits until the server lists the login.
    public func sendStartup(_ cluster: TestCluster) throws {
        func waiting() throws -> Int32 {
            try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'starting' AND client_port > 0 AND backend_type = $1",
                            [kind == .replication ? "walsender" : "client backend"]).rows.first?.int32("n") ?? 0
        }
        let before = try waiting()
        kill(process.pid, SIGUSR1)
        do {
            try cluster.waitFor("the connection to wait in authentication") { try waiting() > before }
        } catch {
            stop()
            throw error
        }
    }

    /// For `handshakeOnly`: makes the TLS handshake and waits until it is done.
    public func handshake(_ cluster: TestCluster) throws {
        kill(process.pid, SIGUSR1)
        do {
            try cluster.waitFor("the TLS handshake") {
                (try? String(contentsOfFile: log, encoding: .utf8))?.contains("handshake done TLSv1.") == true
            }
        } catch {
            stop()
            throw error
        }
    }

    public func stop() { process.terminate() }
}
