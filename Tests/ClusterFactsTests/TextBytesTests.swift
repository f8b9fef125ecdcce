import ClusterFacts
import Foundation
import Testing

struct TextBytesTests {
    /// Held to Foundation's formatter, which the fingerprints, serial numbers and digests used before.
    @Test func hexDigitsAreWhatTheFormatterWrote() {
        let every = [UInt8](0...255)
        for bytes in [[], [0x7F], every, every.reversed()] as [[UInt8]] {
            #expect(HexText.digits(bytes, uppercase: true, separator: ":") == bytes.map { String(format: "%02X", $0) }.joined(separator: ":"))
            #expect(HexText.digits(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        }
        #expect(HexText.digits([0x00, 0x0F, 0xF0, 0xFF], uppercase: true, separator: ":") == "00:0F:F0:FF")
    }

    /// The ASCII white space C's isspace knows, at either end only: what the
    /// server skips around a list setting's items and between startup options.
    @Test func trimmingBlanksTakesOnlyASCIIWhiteSpaceAtTheEnds() {
        #expect(" \t127.0.0.1 \r\n".trimmingBlanks == "127.0.0.1")
        #expect("a b".trimmingBlanks == "a b", "inside stays")
        #expect(" \u{0B}\u{0C} ".trimmingBlanks == "")
        #expect("".trimmingBlanks == "")
        #expect("\u{00A0}x\u{00A0}".trimmingBlanks == "\u{00A0}x\u{00A0}", "a no-break space is no blank to the server")
        #expect("  é ".trimmingBlanks == "é")
        #expect(" x, y ".split(separator: ",").map(\.trimmingBlanks) == ["x", "y"], "substrings too")
    }
}
