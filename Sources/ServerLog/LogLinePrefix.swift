import Foundation

/// `log_line_prefix` as a template that reads the fields back out of a
/// stderr log line's prefix (docs/POSTGRES.md, "The server log as evidence").
/// Literal text must match exactly; a field runs to the next literal text
/// (timestamps and numbers by their shape, since they may contain the
/// separator that follows them). A field whose value contains the
/// literal that follows it in the template cannot be told apart: it is
/// read up to that literal.
public struct LogLinePrefix: Hashable, Sendable {
    enum Part: Hashable, Sendable {
        case literal([UInt8])
        case field(UInt8)
    }

    let parts: [Part]

    /// What a prefix told about its line.
    public struct Fields: Hashable, Sendable {
        public var time: String?
        public var pid: Int32?
        public var host: String?
        public var user: String?
        public var database: String?
        public var application: String?
    }

    /// `setting` as `SHOW log_line_prefix` prints it (no surrounding quotes).
    public init(_ setting: String) {
        var parts: [Part] = []
        var literal: [UInt8] = []
        let bytes = Array(setting.utf8)
        var index = 0
        func flush() { if !literal.isEmpty { parts.append(.literal(literal)); literal = [] } }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "%"), index + 1 < bytes.count else { literal.append(byte); index += 1; continue }
            index += 1
            // Padding: %-10u, %10u. The width is not needed to read the field back.
            while index < bytes.count, bytes[index] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index < bytes.count else { break }
            let letter = bytes[index]
            index += 1
            switch letter {
            case UInt8(ascii: "%"): literal.append(letter)
            // %q ends the prefix for processes without a session; connection lines come from sessions.
            case UInt8(ascii: "q"): continue
            default:
                flush()
                parts.append(.field(letter))
            }
        }
        flush()
        self.parts = parts
    }

    /// Whether the template names the client's address (%h or %r).
    public var namesHost: Bool { parts.contains(.field(UInt8(ascii: "h"))) || parts.contains(.field(UInt8(ascii: "r"))) }
    /// Whether it names the process id, which ties "connection received" to "connection authorized".
    public var namesPID: Bool { parts.contains(.field(UInt8(ascii: "p"))) }

    /// Whether the template writes names a client chooses without escaping
    /// them (%u, %d: a startup packet's user and database may hold a line
    /// break), so that a client can forge a whole stderr line.
    public var writesRawNames: Bool { parts.contains(.field(UInt8(ascii: "u"))) || parts.contains(.field(UInt8(ascii: "d"))) }

    /// Reads the prefix at the start of `line` back into fields, and where it
    /// ends; nil when the line does not start with what the template writes.
    /// A field the template ends with runs to `terminator` (the severity).
    public func read(_ line: ArraySlice<UInt8>, terminator: [UInt8]) -> (fields: Fields, end: Int)? {
        var fields = Fields()
        var position = line.startIndex
        for (number, part) in parts.enumerated() {
            switch part {
            case .literal(let text):
                guard line[position...].starts(with: text) else { return nil }
                position += text.count
            case .field(let letter):
                let next: [UInt8]
                if number + 1 < parts.count, case .literal(let text) = parts[number + 1] { next = text } else if number + 1 == parts.count { next = terminator } else {
                    next = [UInt8(ascii: " ")]
                }
                let end: Int
                if [UInt8(ascii: "m"), UInt8(ascii: "t"), UInt8(ascii: "s")].contains(letter) {
                    guard let stop = Self.timestampEnd(line, from: position) else { return nil }
                    end = stop
                } else {
                    guard let found = Self.find(next, in: line, from: position) else { return nil }
                    end = found
                }
                // Only the fields the inventory uses become strings (padding spaces trimmed).
                guard Self.kept.contains(letter) else { position = end; continue }
                var slice = line[position..<end]
                while slice.first == UInt8(ascii: " ") { slice = slice.dropFirst() }
                while slice.last == UInt8(ascii: " ") { slice = slice.dropLast() }
                let value = String(decoding: slice, as: UTF8.self)
                switch letter {
                case UInt8(ascii: "m"), UInt8(ascii: "t"): fields.time = value
                case UInt8(ascii: "p"): fields.pid = Int32(value)
                case UInt8(ascii: "h"): fields.host = value
                case UInt8(ascii: "r"): fields.host = Self.hostOfRemote(value)
                case UInt8(ascii: "u"): fields.user = value
                case UInt8(ascii: "d"): fields.database = value
                case UInt8(ascii: "a"): fields.application = value
                default: break
                }
                position = end
            }
        }
        return (fields, position)
    }

    static let kept: Set<UInt8> = Set("mtphruda".utf8)

    /// "10.0.0.5(43210)" -> "10.0.0.5"; "[local]" stays.
    static func hostOfRemote(_ value: String) -> String {
        guard value.hasSuffix(")"), let open = value.lastIndex(of: "(") else { return value }
        return String(value[..<open])
    }

    /// The end of "YYYY-MM-DD HH:MM:SS[.fff] ZONE" starting at `start`.
    static func timestampEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        // Date and time: 19 bytes, then optional fraction, then a space and a zone token.
        guard bytes.endIndex - start >= 19, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 10] == UInt8(ascii: " "),
              bytes[start + 13] == UInt8(ascii: ":") else { return nil }
        var index = start + 19
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: " ") else { return index }
        index += 1
        while index < bytes.endIndex, bytes[index] != UInt8(ascii: " ") { index += 1 }
        return index
    }

    static func find(_ needle: [UInt8], in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= bytes.endIndex - start else { return nil }
        var index = start
        while index + needle.count <= bytes.endIndex {
            if bytes[index] == first && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
