/// libpq's `sslmode`, and the attempts it makes (docs/POSTGRES.md, "libpq client behaviour").
public enum ClientSSLMode: String, Hashable, Sendable, Codable, CaseIterable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"

    /// The attempts libpq makes over TCP, in order, as "with TLS?" flags.
    /// `prefer` tries TLS first and retries once in plain text after any
    /// server error (an authentication failure included) or a failed
    /// handshake; `allow` does the reverse. Over a unix socket libpq never
    /// tries TLS, whatever the mode.
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

/// libpq's `gssencmode`. With credentials, `prefer` (libpq's default) and
/// `require` try a GSS-encrypted connection first; `prefer` falls back to
/// the `sslmode` attempts after a server error (docs/POSTGRES.md, "libpq
/// client behaviour").
public enum GSSEncMode: String, Hashable, Sendable, Codable, CaseIterable {
    case disable, prefer, require
}

/// How one connection attempt of libpq's is encrypted.
public enum AttemptEncryption: String, Hashable, Sendable, Codable {
    case gss, ssl, plain

    /// Every attempt libpq makes, in order, until one is admitted.
    public static func sequence(sslMode: ClientSSLMode, gssEncMode: GSSEncMode, unixSocket: Bool,
                                serverOffersGSS: Bool) -> [AttemptEncryption] {
        if unixSocket { return [.plain] }
        let ssl = sslMode.attempts(serverOffersTLS: true, unixSocket: false).map { $0 ? AttemptEncryption.ssl : .plain }
        switch gssEncMode {
        case .disable: return ssl
        case .require: return serverOffersGSS ? [.gss] : []
        case .prefer: return (serverOffersGSS ? [.gss] : []) + ssl
        }
    }
}
