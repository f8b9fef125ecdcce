import Foundation
import SwiftASN1

/// One `-----BEGIN X-----` block of a PEM file, with its headers (an old
/// OpenSSL encrypted key carries `Proc-Type: 4,ENCRYPTED`, which swift-asn1's
/// PEMDocument does not accept, so blocks are split here).
public struct PEMBlock: Hashable, Sendable {
    public var label: String
    public var headers: [String: String]
    public var der: [UInt8]

    var document: PEMDocument { PEMDocument(type: label, derBytes: der) }
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
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if let current = label {
                if line == "-----END \(current)-----" {
                    guard let der = Data(base64Encoded: body), !der.isEmpty else { return nil }
                    result.append(PEMBlock(label: current, headers: headers, der: Array(der)))
                    label = nil
                } else if let colon = line.firstIndex(of: ":"), body.isEmpty {
                    headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
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
        PEMDocument(type: label, derBytes: der).pemString + "\n"
    }
}
