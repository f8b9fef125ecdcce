import PostgresClient
import Testing

/// The group a STARTTLS handshake makes its key share for, from the server's
/// setting (which a hostile server writes): its first entry, when it names a
/// known group, by number; nothing of its text passed on.
struct KeyShareGroupTests {
    @Test(arguments: [
        ("prime256v1", UInt16(0x0017)), (" Prime256V1 ", 0x0017), ("P-256:evil';DROP", 0x0017),
        ("secp384r1", 0x0018), ("secp521r1:X25519", 0x0019), ("X448", 0x001e),
        ("X25519:prime256v1", 0x001d),
    ])
    func theServersFirstGroupIsTaken(setting: String, group: UInt16) {
        #expect(KeyShareGroup(serverGroups: setting)?.ianaNumber == group)
    }

    /// A group this code does not name, a first entry that is none, or no
    /// setting: OpenSSL's order, as before.
    @Test(arguments: ["brainpoolP256r1", "evil:prime256v1", "", ":prime256v1", "prime 256v1"])
    func otherwiseOpenSSLsOrderStays(setting: String) {
        #expect(KeyShareGroup(serverGroups: setting) == nil)
    }

    @Test func noSettingKeepsOpenSSLsOrder() {
        #expect(KeyShareGroup(serverGroups: nil) == nil)
    }
}
