import Foundation

/// One csvlog record on one line: fields separated by commas, quoted ones
/// with "" for a quote. A record whose quotes do not close on its line
/// (a name with a newline in it) is not read.
enum CSVLine {
    static func fields(_ line: [UInt8]) -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = 0
        while index < line.count {
            let byte = line[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < line.count, line[index + 1] == UInt8(ascii: "\"") { field.append(byte); index += 1 } else { quoted = false }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if byte != UInt8(ascii: "\r") {
                field.append(byte)
            }
            index += 1
        }
        guard !quoted else { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    /// "10.0.0.5:43210" -> "10.0.0.5"; "[::1]:5432" and "::1:5432" keep the address; "[local]" stays.
    static func host(ofConnectionFrom value: String) -> String? {
        guard !value.isEmpty else { return nil }
        if value == "[local]" { return value }
        if value.hasPrefix("["), let close = value.firstIndex(of: "]") { return String(value[value.index(after: value.startIndex)..<close]) }
        guard let colon = value.lastIndex(of: ":") else { return value }
        return String(value[..<colon])
    }
}
