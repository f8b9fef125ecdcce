import ClusterFacts
import HBA

/// Who must keep access, from the snapshot and the operator's options: the
/// wizard's own connection, the operator's named sessions, `--must-keep`
/// identities, and every standby streaming today (checked, never blocking).
struct IdentityCollector {
    let input: PlanningInput

    struct Collected {
        var protected: [ProtectedIdentity]
        var notes: [String]
        /// A TCP identity whose address is not known cannot be simulated:
        /// taken for a socket, the guard would wave it through.
        var problems: [String]
    }

    func identities() -> Collected {
        var notes: [String] = []
        var identities = [wizard(notes: &notes)]
        let snapshot = input.snapshot
        for pid in input.options.operatorPIDs {
            guard let session = snapshot.sessions.first(where: { $0.pid == pid }) else { continue }
            identities.append(fromSession(session, kind: .operatorSession, label: "your session (pid \(pid))"))
        }
        identities += input.options.mustKeep.map(withObservedTLS)
        // Admitted ones only: one still authenticating has no user to check it as, and anyone who
        // reaches the port can open one (the planner notes it: `AuthenticatingConnections`).
        for session in snapshot.sessions where session.isClient && session.isWalsender && session.transport == .tcp {
            identities.append(fromSession(session, kind: .standby, label: "standby \(session.applicationName ?? "pid \(session.pid)")"))
        }
        var tcpWithoutAddress: [String] = []
        if snapshot.own.transport == .tcp && identities[0].isUnixSocket { tcpWithoutAddress.append(identities[0].label) }
        for session in snapshot.sessions where session.transport == .tcp && session.clientAddress.flatMap(IPAddress.init(numeric:)) == nil
            && (input.options.operatorPIDs.contains(session.pid) || session.isClient && session.isWalsender) {
            tcpWithoutAddress.append("session \(session.pid)")
        }
        let problems = tcpWithoutAddress.map {
            "\($0) is a TCP connection without a client address the guard can check; connect over the unix socket or by IP address"
        }
        return Collected(protected: identities, notes: notes, problems: problems)
    }

    /// The wizard reconnects the way it is connected now.
    func wizard(notes: inout [String]) -> ProtectedIdentity {
        let own = input.snapshot.own
        var mode = ClientSSLMode(rawValue: own.sslMode) ?? .prefer
        var source = "this connection's sslmode"
        let address = own.transport == .tcp ? own.clientAddress.flatMap(IPAddress.init(numeric:)) : nil
        if own.transport == .tcp && !own.ssl && input.tls.works && mode == .prefer {
            // prefer tried TLS first and ended up plain: a rule refused the SSL
            // attempt or the handshake failed. Assume it stays plain.
            mode = .disable
            source = "sslmode=prefer, yet plain although the server offers TLS"
            notes.append("this connection uses sslmode=prefer but is not encrypted although the server offers TLS: a rule refused the SSL attempt or the handshake failed; the guard treats it as sslmode=disable")
        }
        let session = input.snapshot.sessions.first { $0.pid == own.pid }
        return ProtectedIdentity(kind: .wizardConnection, label: "the wizard's connection", address: address,
                                 user: own.user, database: own.database, sslMode: mode, gssEncrypted: own.gssEncrypted,
                                 clientCertificate: own.ssl && session?.clientCertificate == true,
                                 tlsVersion: own.ssl ? own.tlsProtocol : nil, sslModeSource: source)
    }

    /// A `--must-keep` client seen on SSL today carries the oldest TLS
    /// version its sessions use (a raised floor refuses it) and, when every
    /// one of them showed a certificate, that it presents one.
    func withObservedTLS(_ identity: ProtectedIdentity) -> ProtectedIdentity {
        guard let address = identity.address else { return identity }
        let seen = input.snapshot.sessions.filter { session in
            session.ssl == true && session.user == identity.user
                && session.clientAddress.flatMap(IPAddress.init(numeric:)).map { $0 == address } == true
        }
        var observed = identity
        observed.tlsVersion = seen.compactMap(\.tlsVersion).min { TLSVersions.rank($0) < TLSVersions.rank($1) }
        if !seen.isEmpty && seen.allSatisfy({ $0.clientCertificate == true }) { observed.clientCertificate = true }
        return observed
    }

    /// A session's sslmode is not visible to the server: SSL today means it
    /// negotiates TLS; plain while TLS was offered means it chose plain;
    /// plain while TLS was not offered is assumed to be libpq's default.
    func fromSession(_ session: Session, kind: ProtectedIdentity.Kind, label: String) -> ProtectedIdentity {
        let mode: ClientSSLMode
        let source: String
        if session.ssl == true {
            mode = .require
            source = "on SSL today"
        } else if input.tls.works {
            mode = .disable
            source = "plain today although the server offers TLS"
        } else {
            mode = .prefer
            source = "plain today, SSL was off: assumed libpq's default"
        }
        let replication: ConnectionAttempt.Replication = session.isWalsender ? (session.database == nil ? .physical : .logical) : .none
        return ProtectedIdentity(kind: kind, label: label, address: session.clientAddress.flatMap(IPAddress.init(numeric:)),
                                 user: session.user ?? "", database: session.database ?? "replication", replication: replication,
                                 sslMode: mode, gssEncrypted: session.gssEncrypted, clientCertificate: session.clientCertificate == true,
                                 tlsVersion: session.ssl == true ? session.tlsVersion : nil, sslModeSource: source)
    }
}
