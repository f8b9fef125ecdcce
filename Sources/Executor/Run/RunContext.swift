import ClusterFacts
import Foundation
import HostIO
import PlanningInputs
import PostgresClient

/// What carrying out a run needs to know about the server and the operator,
/// read from a fresh snapshot each time a run starts or resumes.
public struct RunContext: Sendable {
    /// How the operator connects (the dead-man check connects this way, with SSL).
    public var target: ConnectionTarget
    public var server: ServerFacts
    public var ownTransport: Transport
    /// The sslmode libpq used for the operator's session (its keyword, PGSSLMODE,
    /// a service file or libpq's default).
    public var ownSSLMode: String
    /// The server address a TCP operator reached, or a listen address for socket operators.
    public var tcpHost: String?
    /// The operator's role and database, as the server named them.
    public var ownUser: String
    public var ownDatabase: String
    /// The server's own key-exchange group first, for the dead-man check's
    /// STARTTLS handshake (`KeyShareGroup`).
    public var keyShare: KeyShareGroup?
    /// Names the run's backups (`<file>.bak-<stamp>`) and the run itself.
    public var stamp: String
    /// Within this many seconds each plain session is ended at its first
    /// moment between transactions; the rest at the end.
    public var graceSeconds: Int
    /// How long to wait for a standby to stream again over SSL.
    public var standbyWaitSeconds: Int
    /// The pg-ssl-wizard executable that runs the revert watchdog (this
    /// process's own when it is pg-ssl-wizard; tests name it).
    public var watchdogExecutable: String? = RunContext.ownExecutable

    public init(target: ConnectionTarget, snapshot: ClusterSnapshot, stamp: String,
                graceSeconds: Int = RunContext.defaultGraceSeconds, standbyWaitSeconds: Int = 60) {
        self.target = target
        server = snapshot.server
        ownTransport = snapshot.own.transport
        ownSSLMode = snapshot.own.sslMode
        tcpHost = TLSProbe.tcpHost(server: snapshot.server, own: snapshot.own)
        ownUser = snapshot.own.user
        ownDatabase = snapshot.own.database
        keyShare = KeyShareGroup(serverGroups: snapshot.keyExchangeGroups?.value)
        self.stamp = stamp
        self.graceSeconds = graceSeconds
        self.standbyWaitSeconds = standbyWaitSeconds
    }

    /// The default `--grace` (docs/POSTGRES.md, "Ending a session between
    /// transactions"): idle sessions are ended at once whatever it is, so it
    /// costs nothing on a quiet server; on a busy one, a session whose
    /// transactions last under a second passes a boundary many times in 10 s,
    /// and the plain sessions' exposure stays bounded by it.
    public static let defaultGraceSeconds = 10

    /// The data directory's owner: the server's OS user.
    public var serverUser: OSUser? { ServerUserFileSource.serverOwner(dataDirectory: server.dataDirectory) }

    /// The operator's way in, with SSL required where SSL applies (TCP).
    public var sslTarget: ConnectionTarget {
        guard ownTransport == .tcp else { return target }
        // The mode libpq used, wherever it came from: a verify-full from PGSSLMODE or a
        // service file is kept, not replaced by an explicit require.
        return ["require", "verify-ca", "verify-full"].contains(ownSSLMode) ? target : target.with("sslmode", "require")
    }

    /// A TCP operator who has libpq verify the server (verify-ca, verify-full):
    /// no connection of the wizard's sends that operator's credentials over a
    /// TLS nothing verifies.
    public var operatorVerifiesServer: Bool { ownTransport == .tcp && ["verify-ca", "verify-full"].contains(ownSSLMode) }

    /// A TCP connection to the server as the operator's user, for the TLS
    /// proof and the negative test when the operator came over the socket.
    public func tcpTarget(host: String) -> ConnectionTarget {
        target.with("host", host).with("hostaddr", host).with("port", String(server.port))
    }
}

extension RunContext {
    /// /proc/self/exe when this process is pg-ssl-wizard.
    static let ownExecutable: String? = {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              (path as NSString).lastPathComponent == "pg-ssl-wizard" else { return nil }
        return path
    }()
}
