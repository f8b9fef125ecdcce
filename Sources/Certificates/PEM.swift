import SwiftASN1

/// One `-----BEGIN X-----` block of a PEM file, with its headers (an old
/// OpenSSL encrypted key carries `Proc-Type: 4,ENCRYPTED`).
public struct PEMBlock: Hashable, Sendable {
    public var label: String
    public var headers: [String: String]
    public var der: [UInt8]
}

public enum PEMFile {
    /// Every block of a PEM text; text outside blocks (openssl's "Bag
    /// Attributes", comments) is ignored, as OpenSSL ignores it. A block whose
    /// base64 does not decode makes the whole file unusable (nil).
    public static func blocks(_ bytes: [UInt8]) -> [PEMBlock]? {
        let text = String(decoding: bytes, as: UTF8.self)
        var result: [PEMBlock] = []
        var label: String?
        var headers: [String: String] = [:]
        var body = ""
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if let current = label {
                if line == "-----END \(current)-----" {
                    guard let der = base64Decode(body) else { return nil }
                    result.append(PEMBlock(label: current, headers: headers, der: der))
                    label = nil
                } else if let colon = line.firstIndex(of: ":"), body.isEmpty {
                    headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: " ")
                } else {
                    body += line
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----") {
                label = String(line.dropFirst(11).dropLast(5))
                headers = [:]
                body = ""
            }
        }
        return label == nil ? result : nil
    }

    public static func encode(label: String, der: [UInt8]) -> String {
        let base64 = base64Encode(der)
        var lines = ["-----BEGIN \(label)-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64Decode(_ text: String) -> [UInt8]? {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        var output: [UInt8] = []
        var accumulator: UInt32 = 0, bits = 0, padding = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0, table[Int(byte)] >= 0 else { return nil }
            accumulator = accumulator << 6 | UInt32(table[Int(byte)])
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output.isEmpty ? nil : output
    }

    static func base64Encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << UInt32(16 - 8 * $1.offset) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int(value >> UInt32(18 - 6 * position) & 0x3f)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
