/// An IPv4 or IPv6 address as 4 or 16 bytes, parsed and printed the way
/// glibc's numeric getaddrinfo / getnameinfo do, because pg_hba.conf
/// addresses go through exactly those calls (docs/POSTGRES.md, "pg_hba.conf syntax").
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Family: String, Sendable, Codable { case v4, v6 }

    public let bytes: [UInt8]
    /// An IPv6 zone (`%eth0`); PostgreSQL drops it in the view.
    public let zone: String?

    public init?(bytes: [UInt8], zone: String? = nil) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
        self.zone = zone
    }

    public var family: Family { bytes.count == 4 ? .v4 : .v6 }

    public static let loopbackV4 = IPAddress(bytes: [127, 0, 0, 1])!
    public static let loopbackV6 = IPAddress(bytes: Array(repeating: 0, count: 15) + [1])!

    /// A numeric host the way `getaddrinfo(AI_NUMERICHOST)` accepts it; nil
    /// when glibc would answer EAI_NONAME (PostgreSQL then takes it for a host name).
    public init?(numeric text: String) {
        if let v4 = Self.parseV4(text) {
            self.bytes = v4
            self.zone = nil
            return
        }
        var body = Substring(text)
        var zone: String? = nil
        if let percent = text.firstIndex(of: "%") {
            body = text[..<percent]
            zone = String(text[text.index(after: percent)...])
            guard let zone, !zone.isEmpty else { return nil }
        }
        guard let v6 = Self.parseV6(body) else { return nil }
        self.bytes = v6
        self.zone = zone
    }

    /// `inet_aton` forms: 1 to 4 parts, each decimal, octal (leading 0) or
    /// hex (0x); the last part fills the remaining bytes. `127.1` is 127.0.0.1.
    static func parseV4(_ text: String) -> [UInt8]? {
        // On the UTF-8 bytes: the planner parses every address of a large file three times.
        let bytes = Array(text.utf8)
        var values: [UInt64] = []
        values.reserveCapacity(4)
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ".") {
            guard values.count < 4, let value = parseInetNumber(bytes[start..<index]) else { return nil }
            values.append(value)
            start = index + 1
        }
        var result: UInt64 = 0
        for (index, value) in values.enumerated() {
            if index < values.count - 1 {
                guard value <= 0xff else { return nil }
                result |= value << (8 * UInt64(3 - index))
            } else {
                let remainingBytes = 4 - index
                let limit: UInt64 = remainingBytes == 4 ? 0xffff_ffff : (1 << (8 * UInt64(remainingBytes))) - 1
                guard value <= limit else { return nil }
                result |= value
            }
        }
        return [UInt8(result >> 24 & 0xff), UInt8(result >> 16 & 0xff), UInt8(result >> 8 & 0xff), UInt8(result & 0xff)]
    }

    /// One part of an inet_aton address: decimal, octal after a leading 0, hex after 0x.
    private static func parseInetNumber(_ part: ArraySlice<UInt8>) -> UInt64? {
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
    /// trailing dotted quad (strict decimal).
    static func parseV6(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        let characters = Array(text)
        var position = 0
        if characters.starts(with: [":", ":"]) {
            sawDoubleColon = true
            position = 2
            if position == characters.count { return [UInt8](repeating: 0, count: 16) }
        } else if characters.first == ":" {
            return nil
        }
        while position < characters.count {
            // A dotted quad may end the address.
            let rest = String(characters[position...])
            if rest.contains("."), !rest.contains(":") {
                guard let quad = strictDottedQuad(rest) else { return nil }
                let words = [UInt16(quad[0]) << 8 | UInt16(quad[1]), UInt16(quad[2]) << 8 | UInt16(quad[3])]
                if sawDoubleColon { tail += words } else { head += words }
                position = characters.count
                break
            }
            var digits = 0
            var value: UInt16 = 0
            while position < characters.count, characters[position].isASCII, let digit = characters[position].hexDigitValue {
                digits += 1
                guard digits <= 4 else { return nil }
                value = value << 4 | UInt16(digit)
                position += 1
            }
            guard digits > 0 else { return nil }
            if sawDoubleColon { tail.append(value) } else { head.append(value) }
            if position == characters.count { break }
            guard characters[position] == ":" else { return nil }
            position += 1
            if position < characters.count, characters[position] == ":" {
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
        let words = head + Array(repeating: 0, count: 8 - total) + tail
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    private static func strictDottedQuad(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            // Digits only: Int("-20") and Int("+1") parse, inet_pton does not.
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part), value <= 255 else { return nil }
            if part.count > 1, part.first == "0" { return nil }
            result.append(UInt8(value))
        }
        return result
    }

    /// glibc `inet_ntop` text: dotted quad, or IPv6 with the longest run (of
    /// two or more) zero groups shortened to `::`, and the IPv4-mapped and
    /// IPv4-compatible forms printed with a dotted tail.
    public var description: String {
        if family == .v4 { return bytes.map(String.init).joined(separator: ".") }
        let words = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
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
                text += bytes[12...15].map(String.init).joined(separator: ".")
                break
            }
            text += String(words[index], radix: 16)
            index += 1
        }
        if bestBase != -1, bestBase + bestLength == 8 { text += ":" }
        return text
    }

    /// The address with every bit outside the mask cleared.
    public func masked(by mask: IPAddress) -> IPAddress {
        IPAddress(bytes: zip(bytes, mask.bytes).map { $0 & $1 })!
    }

    /// `pg_range_sockaddr`: same family, and equal under the mask.
    public func isInRange(of network: IPAddress, mask: IPAddress) -> Bool {
        guard family == network.family, family == mask.family else { return false }
        for index in bytes.indices where (bytes[index] ^ network.bytes[index]) & mask.bytes[index] != 0 { return false }
        return true
    }

    public var isLoopback: Bool {
        family == .v4 ? bytes[0] == 127 : bytes == IPAddress.loopbackV6.bytes
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.bytes.count != rhs.bytes.count ? lhs.bytes.count < rhs.bytes.count : lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
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
        var bytes = [UInt8](repeating: 0, count: width / 8)
        for bit in 0..<bits { bytes[bit / 8] |= UInt8(0x80 >> (bit % 8)) }
        return IPAddress(bytes: bytes)!
    }

    /// Number of leading one bits, if the mask is contiguous.
    public var prefixLength: Int? {
        var count = 0
        var seenZero = false
        for byte in bytes {
            for bit in 0..<8 {
                let one = byte & UInt8(0x80 >> bit) != 0
                if one { if seenZero { return nil }; count += 1 } else { seenZero = true }
            }
        }
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
