/// Which group a STARTTLS handshake of the wizard's makes its key share for:
/// the server's own. A TLS 1.3 client sends a key share for the first group
/// it offers only, X25519 with OpenSSL's defaults; a server that does not
/// take X25519 (13 to 17 take only `ssl_ecdh_curve`, `prime256v1` by default)
/// answers with a HelloRetryRequest, and the client makes a second key and
/// sends a second ClientHello: one more round trip before the certificate is
/// seen, on every `status` probe and dead-man check (docs/POSTGRES.md, "SSL
/// initialisation and reload").
///
/// The handshake moves this group to the front of the groups the host's
/// OpenSSL offers, its configuration included (starttls.h,
/// `pgsw_starttls_offer_first`): the same groups, in another order, so it
/// succeeds and fails where a client on this host would. Where the host does
/// not offer the group, nothing changes.
///
/// The server's setting is read from the server, which may be hostile: only
/// its first entry is used, and only when it names a group below; nothing of
/// the setting's text reaches OpenSSL.
public struct KeyShareGroup: Hashable, Sendable {
    /// The group's number in TLS (IANA's registry).
    public let ianaNumber: UInt16

    /// The names PostgreSQL's settings take for each group (an OpenSSL curve
    /// name in `ssl_ecdh_curve`, a groups list entry in `ssl_groups`).
    static let groups: [String: UInt16] = [
        "prime256v1": 0x0017, "secp256r1": 0x0017, "p-256": 0x0017,
        "secp384r1": 0x0018, "p-384": 0x0018,
        "secp521r1": 0x0019, "p-521": 0x0019,
        "x25519": 0x001d, "x448": 0x001e,
    ]

    /// nil when the server's first group is none of the groups above.
    public init?(serverGroups setting: String?) {
        guard let setting, let group = Self.groups[Self.firstEntry(setting)] else { return nil }
        ianaNumber = group
    }

    /// The list's first entry, without the blanks around it, in ASCII lower
    /// case: byte by byte, not through Foundation's character sets and
    /// Unicode case tables, whose pages a run would otherwise load for one
    /// short name.
    static func firstEntry(_ setting: String) -> String {
        let blank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let entry = setting.utf8.prefix { $0 != UInt8(ascii: ":") }.drop(while: blank).reversed().drop(while: blank).reversed()
        return String(decoding: entry.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
