import HBA
import Glibc
import Testing
import TestSupport

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

/// The address parser and printer against glibc itself, on generated text
/// that is mostly almost an address: the words the addresses are now held
/// in (and the byte parser that fills them) must give what getaddrinfo and
/// inet_ntop give, byte for byte and character for character.
struct IPAddressAgainstGlibcTests {
    static func candidate(_ random: inout SeededRandom) -> String {
        func number() -> String {
            let value = UInt32.random(in: 0...UInt32.max, using: &random) >> UInt32.random(in: 0...31, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return "0x" + String(value, radix: 16)
            case 1: return "0" + String(value, radix: 8)
            default: return String(value)
            }
        }
        func group() -> String { String(UInt16.random(in: 0...UInt16.max, using: &random) >> UInt16.random(in: 0...15, using: &random), radix: 16) }
        switch Int.random(in: 0..<5, using: &random) {
        case 0, 1:
            return (0..<Int.random(in: 1...5, using: &random)).map { _ in number() }.joined(separator: ".")
        case 2, 3:
            var groups = (0..<Int.random(in: 1...9, using: &random)).map { _ in group() }
            if Bool.random(using: &random) { groups.insert("", at: Int.random(in: 0...groups.count, using: &random)) }
            var text = groups.joined(separator: ":")
            if text.hasPrefix(":"), !text.hasPrefix("::") { text = ":" + text }
            if text.hasSuffix(":"), !text.hasSuffix("::") { text += ":" }
            if Int.random(in: 0..<4, using: &random) == 0 {
                text += ":" + (0..<4).map { _ in String(Int.random(in: 0...300, using: &random)) }.joined(separator: ".")
            }
            return text
        default:
            let alphabet = Array("0123456789abcdefxX.:")
            return String((0..<Int.random(in: 1...16, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
    }

    /// getaddrinfo(AI_NUMERICHOST), as PostgreSQL calls it for a pg_hba.conf address.
    static func glibc(_ text: String) -> [UInt8]? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(text, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        guard let address = first.pointee.ai_addr else { return nil }
        if first.pointee.ai_family == AF_INET {
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
            }
        }
        return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
            withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
        }
    }

    static func inetNtop(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = bytes.withUnsafeBytes { inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(cString: buffer)
    }

    @Test func parsesAndPrintsAsGlibcDoes() {
        var random = SeededRandom(seed: 24)
        var numeric = 0, v6 = 0
        for _ in 0..<20_000 {
            let text = Self.candidate(&random)
            let ours = IPAddress(numeric: text)
            let theirs = Self.glibc(text)
            #expect(ours?.bytes == theirs, "\(text)")
            guard let ours, let theirs else { continue }
            numeric += 1
            if theirs.count == 16 { v6 += 1 }
            #expect(ours.description == Self.inetNtop(theirs), "\(text)")
            #expect(IPAddress(bytes: theirs) == ours, "\(text)")
        }
        // The generator must reach both families, or the comparison proves little.
        #expect(numeric > 5_000 && v6 > 1_000, "numeric \(numeric), IPv6 \(v6)")
    }

    @Test func masksAndPrefixLengthsAgreeWithTheirBits() {
        var random = SeededRandom(seed: 7)
        for family in [IPAddress.Family.v4, .v6] {
            let width = family == .v4 ? 32 : 128
            for bits in 0...width {
                let mask = IPAddress.mask(bits: bits, family: family)!
                let ones = mask.bytes.reduce(0) { $0 + $1.nonzeroBitCount }
                #expect(ones == bits && mask.prefixLength == bits, "\(family) /\(bits)")
                #expect(IPAddress.cidrMask(Substring(String(bits)), family: family) == mask)
            }
            for _ in 0..<2_000 {
                let bytes = (0..<width / 8).map { _ in UInt8.random(in: 0...255, using: &random) }
                let address = IPAddress(bytes: bytes)!
                let bits: [Bool] = bytes.flatMap { byte in (0..<8).map { (bit: Int) -> Bool in byte & (UInt8(0x80) >> UInt8(bit)) != 0 } }
                let leading = bits.firstIndex(of: false) ?? width
                let contiguous = !bits[leading...].contains(true)
                #expect(address.prefixLength == (contiguous ? leading : nil), "\(bytes)")
                let mask = IPAddress.mask(bits: Int.random(in: 0...width, using: &random), family: family)!
                #expect(address.masked(by: mask).bytes == zip(bytes, mask.bytes).map { $0 & $1 })
                #expect(address.isInRange(of: address.masked(by: mask), mask: mask))
            }
        }
    }
}
