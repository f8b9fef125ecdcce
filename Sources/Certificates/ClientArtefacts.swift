import Foundation

/// Ready-to-paste verify-full connection strings for each covered name.
public struct ClientConnectionStrings: Hashable, Sendable, Codable {
    public var name: String
    public var libpq: String
    public var uri: String
    public var jdbc: String

    /// Characters a URI query value may carry unescaped (no & = + or space).
    static let queryValue = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        .union(CharacterSet(charactersIn: "-._~/"))

    /// Without a port, libpq's default (5432) applies: the strings leave it out.
    public static func make(names: [String], port: Int?, database: String, user: String,
                            rootCertificate: String) -> [ClientConnectionStrings] {
        names.map { name in
            let uriHost = IPText.parse(name).map { $0.count == 16 ? "[\(name)]" : name } ?? name
            let quoted = rootCertificate.contains(" ") ? "'\(rootCertificate)'" : rootCertificate
            let encodedRoot = rootCertificate.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? rootCertificate
            return ClientConnectionStrings(
                name: name,
                libpq: "host=\(name)\(port.map { " port=\($0)" } ?? "") dbname=\(database) user=\(user) sslmode=verify-full sslrootcert=\(quoted)",
                uri: "postgresql://\(user)@\(uriHost)\(port.map { ":\($0)" } ?? "")/\(database)?sslmode=verify-full&sslrootcert=\(encodedRoot)",
                jdbc: "jdbc:postgresql://\(uriHost)\(port.map { ":\($0)" } ?? "")/\(database)?user=\(user)&sslmode=verify-full&sslrootcert=\(encodedRoot)")
        }
    }

    /// libpq checks IP addresses in a server certificate only from 15 on
    /// (docs/POSTGRES.md, "libpq client behaviour"): older clients must use a DNS name.
    public static func ipAddressNote(names: [String]) -> String? {
        guard names.contains(where: { IPText.parse($0) != nil }) else { return nil }
        return "clients on libpq 14 or older do not check IP addresses in certificates: with verify-full they must connect by a DNS name"
    }
}
