import CLibPQ

/// How a connection whose point is its TLS handshake ended (the confirm
/// step's verify-full test, the dead-man check's TCP attempt). libpq keeps
/// its TLS session through a failure that comes after the handshake (a
/// refusal over SSL, a failed authentication, a wanted client certificate),
/// frees it when the handshake or its certificate or name check fails, and
/// checks the name as soon as the handshake finishes. So a session whose
/// handshake finished tells the two apart where the wording of the error
/// cannot: "Connection refused" names neither, and an error answer to the
/// TLS request, before any handshake, can say anything. PQsslInUse alone is
/// not enough: a connect_timeout in the middle of the handshake leaves it 1
/// on libpq 13-15 (docs/POSTGRES.md, "Authentication is part of the outcome").
/// Both outcomes after a finished handshake carry the certificate the peer
/// served (DER): where the point is *this* server, the caller compares it
/// with the one it proved, since any listener on the address could answer.
public enum HandshakeOutcome: Sendable {
    /// Logged in over TLS.
    case connected(servedCertificate: [UInt8])
    /// The handshake and libpq's checks passed; the server said no after them.
    case endedAfterTheHandshake(PostgresError, servedCertificate: [UInt8])
    /// No verified handshake.
    case failed(PostgresError)
}

extension Connection {
    /// Connects, notes how far TLS got, and closes at once: no statement runs.
    public static func handshakeOutcome(_ target: ConnectionTarget, timeoutSeconds: Int) -> HandshakeOutcome {
        let handle: OpaquePointer
        do { handle = try start(target, timeoutSeconds: timeoutSeconds, knownVersion: nil) } catch { return .failed(error) }
        defer { PQfinish(handle) }
        let served = pgsw_tls_handshake_finished(handle) != 0 ? peerCertificateDER(handle) : nil
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError.connectionFailed(target: target.redactedDescription, message: failureMessage(handle, target))
            return served.map { .endedAfterTheHandshake(error, servedCertificate: $0) } ?? .failed(error)
        }
        return served.map { .connected(servedCertificate: $0) }
            ?? .failed(.connectionFailed(target: target.redactedDescription, message: "the connection is not over TLS"))
    }
}

extension HandshakeOutcome {
    /// The certificate the peer served, where the handshake finished.
    public var servedCertificate: [UInt8]? {
        switch self {
        case .connected(let der), .endedAfterTheHandshake(_, let der): return der
        case .failed: return nil
        }
    }
}
