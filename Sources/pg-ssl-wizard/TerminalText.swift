import ClusterFacts
import Foundation

/// Everything the commands write to the terminal passes through here: a
/// pg_hba.conf comment, a setting, a user or application name is written by
/// someone else, and an escape sequence in it could erase or rewrite the
/// lines of a plan that root is about to confirm. Control characters (but
/// line breaks and tabs) are shown as `\x1b`-style escapes instead
/// (docs/SECURITY.md, "Screens"). JSON output has none left to
/// show: the encoder escapes them itself.
enum TerminalText {
    static func visible(_ text: String) -> String {
        // Printable ASCII, line breaks and tabs (nearly all output) hold no
        // control: answered on the bytes, without decoding a scalar.
        guard text.utf8.contains(where: { $0 >= 0x7F || ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) }),
              text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool { DisplaySafety.isControl(scalar) }

    static func write(_ text: String, to handle: FileHandle) {
        var shown = visible(text)
        shown.withUTF8 { write($0, to: handle) }
    }

    /// Handed over as one buffer: `Data` made from a string's or an array's
    /// elements goes through generic code that, the first time, asks the
    /// runtime to search its conformance records (about 0.2 ms at the end of
    /// every `status`).
    static func write(_ bytes: UnsafeBufferPointer<UInt8>, to handle: FileHandle) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        handle.write(Data(bytes: base, count: bytes.count))
    }
}

/// Lines written as they are made, in writes of about 64 KiB, through
/// `visible`: `hba explain` of a 10,000-rule file never holds its whole
/// table as one string (and a copy of it for the terminal).
struct TerminalLines {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private static let flushAt = 1 << 16

    init(to handle: FileHandle) {
        self.handle = handle
        buffer.reserveCapacity(Self.flushAt + 4096)
    }

    private mutating func append(_ line: String) {
        buffer.append(contentsOf: TerminalText.visible(line).utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.flushAt { flush() }
    }

    /// A line given as UTF-8: copied as it is when it holds only printable
    /// ASCII and tabs, through `visible` otherwise.
    mutating func append(bytes line: ArraySlice<UInt8>) {
        let printable = line.withUnsafeBufferPointer { bytes in
            for byte in bytes where byte >= 0x7F || (byte < 0x20 && byte != 0x09) { return false }
            return true
        }
        guard printable else {
            append(String(decoding: line, as: UTF8.self))
            return
        }
        buffer.append(contentsOf: line)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.flushAt { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBufferPointer { TerminalText.write($0, to: handle) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The module's `print`: the same as the standard library's, through `TerminalText`.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    // One string, nearly every call: no interpolation of an `Any` (the runtime
    // would look up how it describes itself).
    if items.count == 1, type(of: items[0]) == String.self, let text = items[0] as? String {
        TerminalText.write(text + terminator, to: .standardOutput)
        return
    }
    TerminalText.write(items.map { "\($0)" }.joined(separator: separator) + terminator, to: .standardOutput)
}
