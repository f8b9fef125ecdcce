import HBA
import Testing

struct IPAddressTests {
    @Test(arguments: [
        ("127.1", "127.0.0.1"), ("10.0x10.1", "10.16.0.1"), ("010.0.0.1", "8.0.0.1"), ("1.2.3.4", "1.2.3.4"),
        ("4294967295", "255.255.255.255"), ("0x7f000001", "127.0.0.1"),
    ])
    func ipv4FollowsInetAton(text: String, expected: String) {
        #expect(IPAddress(numeric: text)?.description == expected)
    }

    @Test(arguments: ["10.0.0.256", "1.2.3.4.", "1..2.3", "08.1.1.1", "1.2.3.4 ", "", "a.b.c.d", "1.2.3.4/8"])
    func notNumericIsAHostName(text: String) {
        #expect(IPAddress(numeric: text) == nil)
    }

    // Found by the fuzzer: a signed or non-ASCII digit in a dotted IPv6 tail
    // or a hex group trapped instead of being "not numeric".
    @Test(arguments: ["::ffff:1.2.3.-20", "::1.2.3.+4", "::\u{FF11}", "1\u{FF10}.0.0.1", "::1.2.\u{0661}.4"])
    func signedOrNonASCIIDigitsAreNotNumeric(text: String) {
        #expect(IPAddress(numeric: text) == nil)
    }

    @Test(arguments: [
        ("::1", "::1"), ("0:0:0:0:0:0:0:1", "::1"), ("fe80::1%eth0", "fe80::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"), ("::1.2.3.4", "::1.2.3.4"), ("1:0:0:0:0:0:0:0", "1::"),
        ("ffff:ffff:ffff:ffff:0:0:0:0", "ffff:ffff:ffff:ffff::"), ("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"), ("::", "::"),
        ("2001:DB8::A", "2001:db8::a"), ("1:0:2:0:0:3:0:0", "1:0:2::3:0:0"),
    ])
    func ipv6PrintsLikeInetNtop(text: String, expected: String) {
        #expect(IPAddress(numeric: text)?.description == expected)
    }

    @Test func rangesMasksAndFamilies() {
        let network = IPAddress(numeric: "10.1.2.3")!
        let mask = IPAddress.mask(bits: 8, family: .v4)!
        #expect(IPAddress(numeric: "10.200.0.1")!.isInRange(of: network, mask: mask))
        #expect(!IPAddress(numeric: "11.0.0.1")!.isInRange(of: network, mask: mask))
        // An IPv4 rule never matches an IPv6 client, even a mapped one.
        #expect(!IPAddress(numeric: "::ffff:10.0.0.1")!.isInRange(of: network, mask: mask))
        #expect(IPAddress.cidrMask("33", family: .v4) == nil)
        #expect(IPAddress.cidrMask("+8", family: .v4)?.prefixLength == 8)
        #expect(IPAddress.cidrMask("-0", family: .v4)?.prefixLength == 0)
        #expect(IPAddress.cidrMask("", family: .v4) == nil)
        #expect(IPAddress(numeric: "255.0.255.0")?.prefixLength == nil)
    }
}
