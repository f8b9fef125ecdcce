/// An IPv4 or IPv6 address as 4 or 16 bytes, parsed and printed the way
/// glibc's numeric getaddrinfo / getnameinfo do, because pg_hba.conf
/// addresses go through exactly those calls (docs/POSTGRES.md, "pg_hba.conf syntax").
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Family: String, Sendable, Codable { case v4, v6 }

    public let family: Family
    /// The address as two big-endian words, held inline: a large file has
    /// two addresses per line, and each used to be an array of its own.
    /// IPv4 is the low 32 bits of `low`.
    let high: UInt64
    let low: UInt64
    /// An IPv6 zone (`%eth0`); PostgreSQL drops it in the view.
    public let zone: String?

    public init?(bytes: [UInt8], zone: String? = nil) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for byte in bytes.suffix(8) { low = low << 8 | UInt64(byte) }
        for byte in bytes.dropLast(8) { high = high << 8 | UInt64(byte) }
        self.init(family: bytes.count == 4 ? .v4 : .v6, high: high, low: low, zone: zone)
    }

    init(family: Family, high: UInt64, low: UInt64, zone: String? = nil) {
        self.family = family
        self.high = high
        self.low = family == .v4 ? low & 0xffff_ffff : low
        self.zone = zone
    }

    /// 4 or 16 bytes, in network order.
    public var bytes: [UInt8] {
        let count = family == .v4 ? 4 : 16
        return (0..<count).map { index in
            let fromEnd = count - 1 - index
            return UInt8(truncatingIfNeeded: fromEnd < 8 ? low >> (8 * UInt64(fromEnd)) : high >> (8 * UInt64(fromEnd - 8)))
        }
    }

    /// The same address without its zone (the view shows none).
    public var withoutZone: IPAddress { IPAddress(family: family, high: high, low: low) }

    /// Both words, for comparisons under a mask.
    var words: (high: UInt64, low: UInt64) { (high, low) }

    public static let loopbackV4 = IPAddress(family: .v4, high: 0, low: 0x7f00_0001)
    public static let loopbackV6 = IPAddress(family: .v6, high: 0, low: 1)

    /// A numeric host the way `getaddrinfo(AI_NUMERICHOST)` accepts it; nil
    /// when glibc would answer EAI_NONAME (PostgreSQL then takes it for a host name).
    public init?(numeric text: String) {
        if let v4 = Self.parseV4(text) {
            self.init(family: .v4, high: 0, low: UInt64(v4))
            return
        }
        var body = Substring(text)
        var zone: String? = nil
        if let percent = text.utf8.firstIndex(of: UInt8(ascii: "%")) {
            // On the bytes both ways: a mark or joiner after the `%` belongs to the zone.
            body = Substring(text.utf8[..<percent])
            zone = String(Substring(text.utf8[text.utf8.index(after: percent)...]))
            guard let zone, !zone.isEmpty else { return nil }
        }
        guard let v6 = Self.parseV6(body) else { return nil }
        self.init(family: .v6, high: v6.high, low: v6.low, zone: zone)
    }

    /// `inet_aton` forms: 1 to 4 parts, each decimal, octal (leading 0) or
    /// hex (0x); the last part fills the remaining bytes. `127.1` is 127.0.0.1.
    static func parseV4(_ text: String) -> UInt32? {
        // On the UTF-8 bytes, without copying them: the planner parses every
        // address of a large file three times.
        var text = text
        return text.withUTF8 { bytes -> UInt32? in
            // Every part but the last is one byte, in order; the last fills the rest.
            var result: UInt64 = 0
            var count = 0
            var last: UInt64 = 0
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ".") {
                guard count < 4, let value = parseInetNumber(bytes[start..<index]) else { return nil }
                if count > 0 {
                    guard last <= 0xff else { return nil }
                    result |= last << (8 * UInt64(4 - count))
                }
                last = value
                count += 1
                start = index + 1
            }
            let remainingBytes = 5 - count
            let limit: UInt64 = remainingBytes == 4 ? 0xffff_ffff : (1 << (8 * UInt64(remainingBytes))) - 1
            guard last <= limit else { return nil }
            return UInt32(result | last)
        }
    }

    /// One part of an inet_aton address: decimal, octal after a leading 0, hex after 0x.
    private static func parseInetNumber(_ part: Slice<UnsafeBufferPointer<UInt8>>) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix: UInt64 = 10
        if digits.count >= 2, digits.first == UInt8(ascii: "0"), digits[digits.startIndex + 1] | 0x20 == UInt8(ascii: "x") {
            radix = 16
            digits = digits.dropFirst(2)
            if digits.isEmpty { return 0 } // glibc takes "0x" as zero
        } else if digits.first == UInt8(ascii: "0"), digits.count > 1 {
            radix = 8
            digits = digits.dropFirst()
        }
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            value = value * radix + digit
            if value > 0xffff_ffff { return nil }
        }
        return value
    }

    /// `inet_pton(AF_INET6)`: groups of 1-4 hex digits, one `::`, an optional
    /// trailing dotted quad (strict decimal). On the UTF-8 bytes.
    static func parseV6(_ text: Substring) -> (high: UInt64, low: UInt64)? {
        var text = text
        return text.withUTF8 { characters -> (high: UInt64, low: UInt64)? in
            guard !characters.isEmpty else { return nil }
            // Groups before the `::` go from the front, those after it to the back.
            var head: [UInt16] = [], tail: [UInt16] = []
            head.reserveCapacity(8)
            var sawDoubleColon = false
            var position = 0
            let colon = UInt8(ascii: ":")
            if characters.count >= 2, characters[0] == colon, characters[1] == colon {
                sawDoubleColon = true
                position = 2
                if position == characters.count { return (0, 0) }
            } else if characters[0] == colon {
                return nil
            }
            while position < characters.count {
                // A dotted quad may end the address.
                let rest = UnsafeBufferPointer(rebasing: characters[position...])
                if rest.contains(UInt8(ascii: ".")), !rest.contains(colon) {
                    guard let quad = strictDottedQuad(rest) else { return nil }
                    let words = [UInt16(quad >> 16), UInt16(quad & 0xffff)]
                    if sawDoubleColon { tail += words } else { head += words }
                    position = characters.count
                    break
                }
                var digits = 0
                var value: UInt16 = 0
                while position < characters.count, let digit = hexDigit(characters[position]) {
                    digits += 1
                    guard digits <= 4 else { return nil }
                    value = value << 4 | UInt16(digit)
                    position += 1
                }
                guard digits > 0 else { return nil }
                if sawDoubleColon { tail.append(value) } else { head.append(value) }
                if position == characters.count { break }
                guard characters[position] == colon else { return nil }
                position += 1
                if position < characters.count, characters[position] == colon {
                    guard !sawDoubleColon else { return nil }
                    sawDoubleColon = true
                    position += 1
                    if position == characters.count { break }
                } else if position == characters.count {
                    return nil // trailing single colon
                }
            }
            let total = head.count + tail.count
            if sawDoubleColon {
                guard total <= 7 else { return nil }
            } else {
                guard total == 8 else { return nil }
            }
            var high: UInt64 = 0, low: UInt64 = 0
            for (index, word) in (head + Array(repeating: 0, count: 8 - total) + tail).enumerated() {
                if index < 4 { high = high << 16 | UInt64(word) } else { low = low << 16 | UInt64(word) }
            }
            return (high, low)
        }
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Four decimal parts of 1-3 digits, no leading zero, each at most 255.
    private static func strictDottedQuad(_ text: UnsafeBufferPointer<UInt8>) -> UInt32? {
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            // Digits only: Int("-20") and Int("+1") parse, inet_pton does not.
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            if part.count > 1, part.first == UInt8(ascii: "0") { return nil }
            let value = part.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard value <= 255 else { return nil }
            result = result << 8 | value
        }
        return result
    }

    /// glibc `inet_ntop` text: dotted quad, or IPv6 with the longest run (of
    /// two or more) zero groups shortened to `::`, and the IPv4-mapped and
    /// IPv4-compatible forms printed with a dotted tail.
    public var description: String {
        if family == .v4 { return Self.dottedQuad(UInt32(truncatingIfNeeded: low)) }
        let words = (0..<8).map { UInt16(truncatingIfNeeded: ($0 < 4 ? high : low) >> (16 * UInt64(3 - $0 % 4))) }
        var bestBase = -1, bestLength = 0, currentBase = -1, currentLength = 0
        for (index, word) in words.enumerated() {
            if word == 0 {
                if currentBase == -1 { currentBase = index; currentLength = 1 } else { currentLength += 1 }
            } else if currentBase != -1 {
                if bestBase == -1 || currentLength > bestLength { bestBase = currentBase; bestLength = currentLength }
                currentBase = -1
            }
        }
        if currentBase != -1, bestBase == -1 || currentLength > bestLength { bestBase = currentBase; bestLength = currentLength }
        if bestBase != -1, bestLength < 2 { bestBase = -1 }
        var text = ""
        var index = 0
        while index < 8 {
            if bestBase != -1, index >= bestBase, index < bestBase + bestLength {
                if index == bestBase { text += ":" }
                index += 1
                continue
            }
            if index != 0 { text += ":" }
            if index == 6, bestBase == 0, bestLength == 6 || (bestLength == 5 && words[5] == 0xffff) {
                text += Self.dottedQuad(UInt32(truncatingIfNeeded: low))
                break
            }
            text += String(words[index], radix: 16)
            index += 1
        }
        if bestBase != -1, bestBase + bestLength == 8 { text += ":" }
        return text
    }

    /// `a.b.c.d` of an IPv4 address held in a word, written digit by digit
    /// into the string's own storage (at most 15 bytes, so no allocation):
    /// `hba explain` prints two per line.
    private static func dottedQuad(_ value: UInt32) -> String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            var count = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                if shift != 24 { buffer[count] = UInt8(ascii: "."); count += 1 }
                let octet = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                if octet >= 100 { buffer[count] = UInt8(ascii: "0") + octet / 100; count += 1 }
                if octet >= 10 { buffer[count] = UInt8(ascii: "0") + octet / 10 % 10; count += 1 }
                buffer[count] = UInt8(ascii: "0") + octet % 10
                count += 1
            }
            return count
        }
    }

    /// The address with every bit outside the mask cleared.
    public func masked(by mask: IPAddress) -> IPAddress {
        IPAddress(family: family, high: high & mask.high, low: low & mask.low)
    }

    /// `pg_range_sockaddr`: same family, and equal under the mask.
    public func isInRange(of network: IPAddress, mask: IPAddress) -> Bool {
        guard family == network.family, family == mask.family else { return false }
        return (high ^ network.high) & mask.high == 0 && (low ^ network.low) & mask.low == 0
    }

    public var isLoopback: Bool {
        family == .v4 ? low >> 24 == 127 : high == 0 && low == 1
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.family != rhs.family ? lhs.family == .v4 : (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

extension IPAddress {
    /// A netmask of `bits` leading ones; nil outside 0...32 / 0...128.
    public static func mask(bits: Int, family: Family) -> IPAddress? {
        let masks = family == .v4 ? v4Masks : v6Masks
        return masks.indices.contains(bits) ? masks[bits] : nil
    }

    /// Every prefix mask, made once: a large file names the same few thousands of times.
    private static let v4Masks = (0...32).map { makeMask(bits: $0, width: 32) }
    private static let v6Masks = (0...128).map { makeMask(bits: $0, width: 128) }

    private static func makeMask(bits: Int, width: Int) -> IPAddress {
        if width == 32 { return IPAddress(family: .v4, high: 0, low: leadingOnes(bits) >> 32) }
        return IPAddress(family: .v6, high: leadingOnes(bits), low: leadingOnes(bits - 64))
    }

    /// A word whose `count` leftmost bits are set (none below 1, all above 63).
    private static func leadingOnes(_ count: Int) -> UInt64 {
        count <= 0 ? 0 : count >= 64 ? ~0 : ~0 << UInt64(64 - count)
    }

    /// Number of leading one bits, if the mask is contiguous.
    public var prefixLength: Int? {
        // The mask as 128 bits from the left; IPv4 moved up to the top.
        let (first, second): (UInt64, UInt64) = family == .v4 ? (low << 32, 0) : (high, low)
        let onesInFirst = (~first).leadingZeroBitCount
        let count = onesInFirst == 64 ? 64 + (~second).leadingZeroBitCount : onesInFirst
        guard first == Self.leadingOnes(count), second == Self.leadingOnes(count - 64) else { return nil }
        return count
    }

    /// `pg_sockaddr_cidr_mask`: strtol over the whole text, in range for the family.
    public static func cidrMask(_ text: Substring, family: Family) -> IPAddress? {
        var digits = text.utf8[...]
        guard !digits.isEmpty else { return nil }
        // strtol skips leading white space (none can occur in a token) and takes a sign.
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        let value = digits.reduce(0) { min($0 * 10 + Int($1 - UInt8(ascii: "0")), 1_000_000) }
        return mask(bits: negative ? -value : value, family: family)
    }
}

extension IPAddress: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPAddress(numeric: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IP address: \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(zone.map { "\(description)%\($0)" } ?? description)
    }
}
