import PostgresClient
import Testing

/// The order of the groups a STARTTLS handshake offers, from the server's
/// setting (which a hostile server writes): its first known group first,
/// every default after it, and nothing of its text passed on.
struct KeyShareOrderTests {
    @Test(arguments: [
        ("prime256v1", "P-256:X25519:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"),
        (" Prime256V1 ", "P-256:X25519:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"),
        ("secp384r1", "P-384:X25519:P-256:X448:P-521:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"),
        ("secp521r1:X25519", "P-521:X25519:P-256:X448:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"),
        ("X448", "X448:X25519:P-256:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"),
        ("P-256:evil';DROP", "P-256:X25519:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"),
    ])
    func theServersFirstGroupGoesFirst(setting: String, offered: String) {
        #expect(KeyShareOrder(serverGroups: setting)?.groupsList == offered)
    }

    /// OpenSSL's own order already starts with the server's group (18's
    /// default), or the group is none OpenSSL offers by default, or there is
    /// no setting: OpenSSL's order, as before.
    @Test(arguments: ["X25519:prime256v1", "x25519", "brainpoolP256r1", "evil:prime256v1", "", ":prime256v1"])
    func otherwiseOpenSSLsOrderStays(setting: String) {
        #expect(KeyShareOrder(serverGroups: setting) == nil)
    }

    @Test func noSettingKeepsOpenSSLsOrder() {
        #expect(KeyShareOrder(serverGroups: nil) == nil)
    }
}
