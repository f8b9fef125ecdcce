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
    }

    public struct Failure: Error, Hashable, Sendable {
        public var reason: String
        /// The server answered the SSLRequest with 'N': it does not offer
        /// TLS. Every other failure says nothing about the server's TLS.
        public var serverRefusedTLS: Bool = false
    }

    public static func handshake(host: String, port: Int, timeoutSeconds: Int = 5) -> Result<Served, Failure> {
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var version = [CChar](repeating: 0, count: 32)
        var error = [CChar](repeating: 0, count: 160)
        let length = pgsw_starttls_peer_der(host, Int32(port), Int32(max(1, timeoutSeconds) * 1000), &buffer,
                                            &version, Int32(version.count), &error, Int32(error.count))
        guard length > 0, let buffer else {
            return .failure(Failure(reason: String(decoding: error.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self),
                                    serverRefusedTLS: length == -2))
        }
        defer { pgsw_free(buffer) }
        return .success(Served(certificateDER: Array(UnsafeBufferPointer(start: buffer, count: Int(length))),
                               protocolVersion: String(decoding: version.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)))
    }
}
