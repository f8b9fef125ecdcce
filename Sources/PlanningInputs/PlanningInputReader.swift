import Certificates
import ClusterFacts
import Enforcement
import Foundation
import HBA
import HostIO
import PostgresClient

/// Gathers everything the planner needs, read-only: the snapshot, a real
/// TLS handshake, pg_hba.conf and its includes, the certificate files, role
/// memberships and the host's interfaces. Changes nothing on the server.
public enum PlanningInputReader {
    public static func read(_ target: ConnectionTarget, options: PlanOptions,
                            certificates choice: CertificateChoice = .automatic, now: Date = Date()) throws -> PlanningInput {
        let connection = try Connection.connect(target)
        defer { connection.close() }
        return try read(target, connection: connection, options: options, certificates: choice, now: now)
    }

    /// The same over a connection the caller keeps (`apply` plans and runs on one session).
    public static func read(_ target: ConnectionTarget, connection: Connection, options: PlanOptions,
                            certificates choice: CertificateChoice = .automatic, now: Date = Date()) throws -> PlanningInput {
        let inspector = ServerInspector(connection: connection)
        let reading = try SnapshotWithTLS.read(target, connection: connection)
        let snapshot = reading.snapshot, tls = reading.observation
        let files = ServerSSLFiles.from(snapshot)
        let names = ServerSSLFiles.hostNames() + files.listenNames
        var certificates = CertificateFactsReader.read(snapshot, files: files, tls: tls, names: names, now: now)
        if let generation = choice.generation(for: certificates) {
            let replacement = CertificateFactsReader.replacement(generation, files: files, names: names,
                                                                 clientDirectory: StateDirectory.path(systemIdentifier: snapshot.server.systemIdentifier))
            // Only where the files are this host's to write (otherwise the plan says they are applied by hand).
            let problems = snapshot.fileAccess.sameHostVerified ? CertificateFactsReader.placementProblems(replacement, serverUser: files.serverUser) : []
            if problems.isEmpty {
                certificates.replacement = replacement
            } else {
                certificates.condition = .broken
                certificates.problems += problems
            }
        }
        let memberships = try inspector.readRoleMemberships()
        var input = PlanningInput(snapshot: snapshot, tls: tls, hba: hbaInput(snapshot), certificates: certificates,
                                  roles: RoleFacts(roles: Set(memberships.keys), members: memberships),
                                  interfaces: serverInterfaces(snapshot),
                                  interfaceNames: snapshot.fileAccess.sameHostVerified ? LocalInterfaces.names() : nil, options: options)
        // The server's own log only on its host; files the operator names anywhere.
        let request = options.connectionLog ?? .automatic
        if snapshot.fileAccess.sameHostVerified || !request.files.isEmpty {
            input.connectionLog = ConnectionLogReader.read(request, connection: connection, snapshot: snapshot)
        }
        return input
    }

    static func hbaInput(_ snapshot: ClusterSnapshot) -> HBAInput {
        let access = snapshot.fileAccess
        guard access.hbaReadable && access.sameHostVerified else {
            return .unreadable(reason: access.problem ?? "the server's files are not reachable from here")
        }
        let owner = ServerUserFileSource.serverOwner(dataDirectory: snapshot.server.dataDirectory)
        // hba_file is the server user's setting: root rewrites only a pg_hba.conf that user owns, never a file of root's it names.
        if OSUser.isRoot, let owner, let identity = try? HostFile.open(snapshot.server.hbaFile).identity, identity.uid != owner.uid {
            return .unreadable(reason: "\(snapshot.server.hbaFile) belongs to uid \(identity.uid), not to \(owner.name), the server's OS user: "
                               + "the wizard rewrites only the server user's pg_hba.conf; give it to \(owner.name) (chown) or apply the plan by hand")
        }
        let files = ServerUserFileSource.forServer(owner: owner)
        switch files.read(snapshot.server.hbaFile) {
        case .contents(let bytes): return .readable(bytes: bytes, files: files)
        case .failure(let reason, _): return .unreadable(reason: "cannot read \(snapshot.server.hbaFile): \(reason)")
        }
    }

    /// The server's interfaces are this host's only when the connection
    /// arrives on one of them (or over the socket); otherwise unknown.
    static func serverInterfaces(_ snapshot: ClusterSnapshot) -> [NetworkInterface]? {
        guard snapshot.fileAccess.sameHostVerified else { return nil }
        let local = LocalInterfaces.read()
        if snapshot.own.transport == .unixSocket { return local }
        guard let server = snapshot.own.serverAddress.flatMap(IPAddress.init(numeric:)),
              local.contains(where: { $0.address == server }) else { return nil }
        return local
    }
}
