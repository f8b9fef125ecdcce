/// libpq's `sslmode`, and the attempts it makes (docs/POSTGRES.md, "libpq client behaviour").
public enum ClientSSLMode: String, Hashable, Sendable, Codable, CaseIterable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"

    /// The attempts libpq makes over TCP, in order, as "with TLS?" flags.
    /// `prefer` tries TLS first and retries once in plain text after any
    /// server error; `allow` does the reverse. Over a unix socket libpq
    /// never tries TLS, whatever the mode.
    public func attempts(serverOffersTLS: Bool, unixSocket: Bool) -> [Bool] {
        if unixSocket { return [false] }
        switch self {
        case .disable: return [false]
        case .allow: return serverOffersTLS ? [false, true] : [false]
        case .prefer: return serverOffersTLS ? [true, false] : [false]
        case .require, .verifyCA, .verifyFull: return serverOffersTLS ? [true] : []
        }
    }

    /// Whether this client ends up on TLS once the server offers it and the
    /// rules admit TLS: every mode except `disable`... and `allow`, which
    /// only tries TLS after its plain attempt was refused.
    public var negotiatesTLSWhenOffered: Bool { self != .disable && self != .allow }
}
