import CLibPQ

/// PostgreSQL's STARTTLS handshake alone, in this process: the SSLRequest,
/// the server's 'S', a TLS handshake on the same socket, and the certificate
/// it served. No login is needed, so it proves the TLS a socket operator
/// (who has no TCP password) cannot see through libpq; no child process, so
/// it costs one round trip and a handshake (docs/POSTGRES.md, "SSL
/// initialisation and reload"). Nothing is verified here: callers compare
/// the fingerprint with the certificate they expect.
public enum StartTLSHandshake {
    public struct Served: Hashable, Sendable {
        public var certificateDER: [UInt8]
        /// As OpenSSL names it: TLSv1.2, TLSv1.3.
        public var protocolVersion: String
        /// The server asked for a key share for another group (a
        /// HelloRetryRequest): the handshake took one more round trip.
        public var helloRetried: Bool = false
    }

    public struct Failure: Error, Hashable, Sendable {
        public var reason: String
        /// The server answered the SSLRequest with 'N': it does not offer
        /// TLS. Every other failure says nothing about the server's TLS.
        public var serverRefusedTLS: Bool = false
    }

    /// The handshake, its certificate, and the end of the connection.
    public static func handshake(host: String, port: Int, timeoutSeconds: Int = 5, keyShare: KeyShareGroup? = nil) -> Result<Served, Failure> {
        open(host: host, port: port, timeoutSeconds: timeoutSeconds, keyShare: keyShare).map { session in
            defer { session.close() }
            return session.served
        }
    }

    /// A finished handshake kept open, for a caller that checks the
    /// certificate before it says anything more (`Session.firstAnswer`).
    /// `timeoutSeconds` bounds everything done on it. `keyShare`: the
    /// server's own group first (from its settings), or OpenSSL's order.
    public static func open(host: String, port: Int, timeoutSeconds: Int = 5, keyShare: KeyShareGroup? = nil) -> Result<Session, Failure> {
        var state = pgsw_starttls()
        var error = [CChar](repeating: 0, count: 160)
        let result = pgsw_starttls_open(host, Int32(port), Int32(max(1, timeoutSeconds) * 1000), UInt32(keyShare?.ianaNumber ?? 0),
                                        &state, &error, Int32(error.count))
        guard result == 0 else { return .failure(Failure(reason: text(error), serverRefusedTLS: result == -2)) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var version = [CChar](repeating: 0, count: 32)
        let length = pgsw_starttls_peer(&state, &buffer, &version, Int32(version.count))
        guard length > 0, let buffer else {
            pgsw_starttls_close(&state)
            return .failure(Failure(reason: "the server presented no certificate"))
        }
        defer { pgsw_free(buffer) }
        let served = Served(certificateDER: Array(UnsafeBufferPointer(start: buffer, count: Int(length))), protocolVersion: text(version),
                            helloRetried: state.client_hellos > 1)
        return .success(Session(state: state, served: served))
    }

    /// One handshake's connection, used from one thread, closed once.
    public final class Session {
        private var state: pgsw_starttls
        private var closed = false
        public let served: Served

        fileprivate init(state: pgsw_starttls, served: Served) {
            self.state = state
            self.served = served
        }

        /// Sends a startup packet (protocol 3.0: the user, the database and
        /// the application name, nothing secret) and returns the message type
        /// the server answers with: `R` (authenticate: the rules admit this
        /// connection that far) or `E` (refused). No credentials follow.
        public func firstAnswer(user: String, database: String, applicationName: String) -> Result<UInt8, Failure> {
            guard !closed else { return .failure(Failure(reason: "the connection is closed")) }
            let packet = StartupPacket.bytes(["user": user, "database": database, "application_name": applicationName])
            var error = [CChar](repeating: 0, count: 160)
            let answer = pgsw_starttls_first_answer(&state, packet, Int32(packet.count), &error, Int32(error.count))
            return answer < 0 ? .failure(Failure(reason: StartTLSHandshake.text(error))) : .success(UInt8(answer))
        }

        public func close() {
            guard !closed else { return }
            closed = true
            pgsw_starttls_close(&state)
        }

        deinit { close() }
    }

    static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }
}

/// The protocol 3.0 startup packet: its length, the version (196608), then
/// name and value pairs, each NUL-terminated, and a closing NUL. Sorted by
/// name so the same parameters make the same bytes.
enum StartupPacket {
    static func bytes(_ parameters: [String: String]) -> [UInt8] {
        var body: [UInt8] = [0, 3, 0, 0]
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            // A NUL inside a value would end it early and shift every pair after it.
            body += Array(name.utf8.filter { $0 != 0 }) + [0] + Array(value.utf8.filter { $0 != 0 }) + [0]
        }
        body.append(0)
        let length = UInt32(body.count + 4)
        return [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)] + body
    }
}
