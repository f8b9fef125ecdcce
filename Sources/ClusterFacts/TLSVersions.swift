import Foundation

/// TLS protocol versions as PostgreSQL names them (`pg_stat_ssl.version`,
/// `ssl_min_protocol_version`): their order, for floors, and per-version
/// counts of encrypted sessions.
public enum TLSVersions {
    static let order = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

    /// Position in the order; -1 for a name that is not a known version.
    public static func rank(_ version: String) -> Int { order.firstIndex(of: version) ?? -1 }

    /// The versions older than `floor`.
    public static func below(_ floor: String) -> [String] { Array(order.prefix(while: { $0 != floor })) }

    /// Version -> number of encrypted sessions ("unknown" when the view hides it).
    public static func counts(_ sessions: [Session]) -> [String: Int] {
        var versions: [String: Int] = [:]
        for session in sessions where session.ssl == true { versions[session.tlsVersion ?? "unknown", default: 0] += 1 }
        return versions
    }
}
