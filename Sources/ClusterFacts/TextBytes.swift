/// Bytes as hexadecimal text (fingerprints, serial numbers, file digests),
/// written byte by byte: `String(format: "%02X")` goes through Foundation's
/// formatter for every byte, and joining the pieces instantiates generic
/// code whose first use asks the runtime to search its conformance records.
/// On the path of `status`'s TLS proof that cost about a millisecond
/// (docs/DESIGN.md, "Where `status` spends its time").
public enum HexText {
    /// Two digits per byte; `separator` (an ASCII character) between bytes when given.
    /// Inlinable, so that each caller's sequence type (a digest, a slice) is
    /// known where it is compiled: unspecialised, the runtime looked up its
    /// iterator by mangled name at the first call.
    @inlinable
    public static func digits(_ bytes: some Sequence<UInt8>, uppercase: Bool = false, separator: Character? = nil) -> String {
        let alphabet: StaticString = uppercase ? "0123456789ABCDEF" : "0123456789abcdef"
        let between = separator?.asciiValue
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 3)
        alphabet.withUTF8Buffer { digit in
            for byte in bytes {
                if let between, !text.isEmpty { text.append(between) }
                text.append(digit[Int(byte >> 4)])
                text.append(digit[Int(byte & 0x0F)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// Without the ASCII white space at either end (C's `isspace`: space,
    /// tab, newline, vertical tab, form feed, carriage return). The server
    /// splits startup options on `isspace`, and the items of a list setting
    /// such as `listen_addresses` on its scanner's blanks (the same less the
    /// vertical tab in older releases; an item with one could never be bound
    /// anyway); it also takes `"..."` items, which nothing here unquotes.
    /// Foundation's `trimmingCharacters(in:)` bridges to NSString, about 0.4
    /// ms the first time, on the way to every connection and to `status`'s
    /// TLS proof.
    public var trimmingBlanks: String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { !Self.isBlank($0) }),
              let last = utf8.lastIndex(where: { !Self.isBlank($0) }) else { return "" }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}
