/// Ready-to-paste verify-full connection strings for each covered name.
public struct ClientConnectionStrings: Hashable, Sendable, Codable {
    public var name: String
    public var libpq: String
    public var uri: String
    public var jdbc: String

    public static func make(names: [String], port: Int, database: String, user: String,
                            rootCertificate: String) -> [ClientConnectionStrings] {
        names.map { name in
            let uriHost = IPText.parse(name).map { $0.count == 16 ? "[\(name)]" : name } ?? name
            let quoted = rootCertificate.contains(" ") ? "'\(rootCertificate)'" : rootCertificate
            let encodedRoot = rootCertificate.addingPercentEncodingForQuery()
            return ClientConnectionStrings(
                name: name,
                libpq: "host=\(name) port=\(port) dbname=\(database) user=\(user) sslmode=verify-full sslrootcert=\(quoted)",
                uri: "postgresql://\(user)@\(uriHost):\(port)/\(database)?sslmode=verify-full&sslrootcert=\(encodedRoot)",
                jdbc: "jdbc:postgresql://\(uriHost):\(port)/\(database)?user=\(user)&sslmode=verify-full&sslrootcert=\(encodedRoot)")
        }
    }
}

extension String {
    func addingPercentEncodingForQuery() -> String {
        var result = ""
        for byte in utf8 {
            let scalar = Unicode.Scalar(byte)
            if scalar.properties.isAlphabetic && byte < 0x80 || (0x30...0x39).contains(byte) || "-._~/".utf8.contains(byte) {
                result.append(Character(scalar))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return result
    }

    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
