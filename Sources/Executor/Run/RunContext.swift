import ClusterFacts
import Foundation
import PostgresClient

/// What carrying out a run needs to know about the server and the operator,
/// read from a fresh snapshot each time a run starts or resumes.
public struct RunContext: Sendable {
    /// How the operator connects (the dead-man check connects this way, with SSL).
    public var target: ConnectionTarget
    public var server: ServerFacts
    public var ownTransport: Transport
    /// The server address a TCP operator reached, or a listen address for socket operators.
    public var tcpHost: String?
    /// Readable server log, for "was not reloaded" lines; nil when not readable from here.
    public var logFile: String?
    /// Names the run's backups (`<file>.bak-<stamp>`) and the run itself.
    public var stamp: String
    /// Wait for sessions to go idle before terminating them.
    public var graceSeconds: Int
    /// How long to wait for a standby to stream again over SSL.
    public var standbyWaitSeconds: Int

    public init(target: ConnectionTarget, snapshot: ClusterSnapshot, stamp: String, logFile: String?,
                graceSeconds: Int = 0, standbyWaitSeconds: Int = 60) {
        self.target = target
        server = snapshot.server
        ownTransport = snapshot.own.transport
        tcpHost = snapshot.own.transport == .tcp ? snapshot.own.serverAddress
            : TLSProbe.tcpAddress(listenAddresses: snapshot.server.listenAddresses)
        self.logFile = logFile
        self.stamp = stamp
        self.graceSeconds = graceSeconds
        self.standbyWaitSeconds = standbyWaitSeconds
    }

    /// The operator's way in, with SSL required where SSL applies (TCP).
    public var sslTarget: ConnectionTarget {
        guard ownTransport == .tcp else { return target }
        let mode = target.explicitKeywords["sslmode"] ?? "prefer"
        return ["require", "verify-ca", "verify-full"].contains(mode) ? target : target.with("sslmode", "require")
    }

    /// A TCP connection to the server as the operator's user, for the TLS
    /// proof and the negative test when the operator came over the socket.
    public func tcpTarget(host: String) -> ConnectionTarget {
        target.with("host", host).with("hostaddr", host).with("port", String(server.port))
    }
}

/// Where the server writes its log, when this host can read it.
public enum ServerLog {
    public static func locate(_ connection: Connection, dataDirectory: String) -> String? {
        // The logging collector's current file (relative to the data directory).
        if let row = try? connection.query("SELECT pg_current_logfile() AS f").rows.first,
           let file = try? row.optionalString("f"), !file.isEmpty {
            let path = file.hasPrefix("/") ? file : dataDirectory + "/" + file
            if access(path, R_OK) == 0 { return path }
        }
        // Without the collector: the postmaster's stderr, when it is a file (pg_ctl -l).
        guard let pid = Postmaster.pid(dataDirectory: dataDirectory), let file = Postmaster.stderrFile(pid: pid),
              access(file, R_OK) == 0 else { return nil }
        return file
    }
}
