import Certificates
import HostIO
import PostgresClient

/// A socket operator's TLS probe is the STARTTLS handshake alone, which
/// needs four settings: `ssl`, the listen addresses, the port and the key
/// exchange groups. Read in one cheap row before the snapshot's first
/// statement (`InspectionQueries.handshakeFacts`), they let the handshake
/// and its certificate's parse run on a thread of their own beside every
/// other read, instead of after the first five. On 2 cores the handshake,
/// which waits for the server to start a backend, was what `status` waited
/// for last (docs/DESIGN.md, "Where status spends its time").
///
/// It is a guess made before the session is read: the snapshot's own reads
/// decide (`SnapshotWithTLS.read`). The handshake is kept only if it is the
/// one they call for, to the same address, port and first key share; else it
/// is waited for and dropped, and the probe runs as it always did. It sends
/// no startup packet and no credential, so the server starts no session for
/// it, whatever is decided.
struct HandshakeAhead {
    let host: String
    let port: Int
    let keyShare: KeyShareGroup?
    /// nil when libpq would send a file of its own (a root or client
    /// certificate under a home directory): then it is not the probe.
    let running: Concurrent<SnapshotWithTLS.Observed?>

    /// Begun when the connection is a unix socket's with libpq's default TLS
    /// keywords, the server's end of it is a socket too (not a relay to TCP
    /// behind a local socket), and the server has `ssl` on and a TCP
    /// address; else nil.
    /// A failed read of the facts is no answer: the snapshot's reads report it.
    static func begin(_ connection: Connection, inspector: ServerInspector, parsingCertificate: Bool) -> HandshakeAhead? {
        guard TLSProbe.mayStartNoSession(connection),
              let facts = try? inspector.readHandshakeFacts(), facts.viaSocket, facts.sslOn,
              let host = TLSProbe.tcpAddress(listenAddresses: facts.listenAddresses) else { return nil }
        let port = facts.port
        let keyShare = KeyShareGroup(serverGroups: facts.keyExchangeGroups)
        let running = Concurrent<SnapshotWithTLS.Observed?>.start {
            guard TLSProbe.noDefaultFiles() else { return nil }
            let probe = TLSProbe.handshakeAlone(host: host, port: port, keyShare: keyShare)
            return SnapshotWithTLS.Observed(tls: probe.availability, der: probe.servedCertificateDER,
                                            parsed: SnapshotWithTLS.summary(probe.servedCertificateDER, wanted: parsingCertificate))
        }
        return HandshakeAhead(host: host, port: port, keyShare: keyShare, running: running)
    }

    /// The handshake, if it is the one the snapshot's reads call for; else nil (the reader drops it).
    func kept(ifFor host: String?, port: Int, keyShare: KeyShareGroup?) -> Concurrent<SnapshotWithTLS.Observed?>? {
        host == self.host && port == self.port && keyShare == self.keyShare ? running : nil
    }

    /// Waited for and forgotten: no thread outlives the read. Once its value is taken, this returns at once.
    func drop() { _ = running.value() }
}
