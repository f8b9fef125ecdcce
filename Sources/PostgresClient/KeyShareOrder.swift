import Foundation

/// The key-exchange groups a STARTTLS handshake of the wizard's offers, the
/// server's own first. A TLS 1.3 client sends a key share for its first group
/// only, X25519 with OpenSSL's defaults; a server that does not take X25519
/// (13 to 17 take only `ssl_ecdh_curve`, `prime256v1` by default) answers
/// with a HelloRetryRequest, and the client makes a second key share and
/// sends a second ClientHello: one more round trip before the certificate is
/// seen, on every `status` probe and dead-man check (docs/POSTGRES.md, "SSL
/// initialisation and reload"). Every group OpenSSL offers by default is
/// still offered, after the server's, so the handshake succeeds and fails
/// exactly where it did: only the order changes.
///
/// The server's setting is read from the server, which may be hostile: only
/// its first entry is used, and only when it names a group below, written
/// here; nothing of the setting's text reaches OpenSSL.
public struct KeyShareOrder: Hashable, Sendable {
    /// The OpenSSL groups list, in the order offered.
    public let groupsList: String

    /// OpenSSL 3's client groups, in its default order (X25519 first), by the
    /// names its groups list takes.
    static let opensslDefaults = ["X25519", "P-256", "X448", "P-521", "P-384",
                                  "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"]

    /// The names PostgreSQL's settings take for each group (an OpenSSL curve
    /// name in `ssl_ecdh_curve`, a groups list entry in `ssl_groups`).
    static let aliases: [String: String] = [
        "prime256v1": "P-256", "secp256r1": "P-256", "p-256": "P-256",
        "secp384r1": "P-384", "p-384": "P-384",
        "secp521r1": "P-521", "p-521": "P-521",
        "x25519": "X25519", "x448": "X448",
    ]

    /// nil when the server's first group is OpenSSL's first anyway, or is
    /// none of the groups above (OpenSSL's order then, as before).
    public init?(serverGroups setting: String?) {
        guard let first = setting?.split(separator: ":", omittingEmptySubsequences: false).first
                .map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              let group = Self.aliases[first], group != Self.opensslDefaults[0] else { return nil }
        groupsList = ([group] + Self.opensslDefaults.filter { $0 != group }).joined(separator: ":")
    }
}
