import ClusterFacts
import Foundation

/// The two messages `log_connections` writes that the inventory reads
/// (docs/POSTGRES.md, "The server log as evidence"): "connection received:
/// host=H port=P" when the connection arrives, and "connection authorized:
/// user=U database=D application_name=A" (walsenders: "replication
/// connection authorized: user=U application_name=A"), followed by
/// " SSL enabled (protocol=V, cipher=C, bits=N)" and/or " GSS (...,
/// encrypted=yes, ...)". Names come from clients and roles: they are read,
/// never trusted to be free of these words.
enum ConnectionMessage: Equatable {
    case received(host: String)
    case authorized(Authorized)

    struct Authorized: Equatable {
        var user: String
        var database: String?
        var application: String
        var encryption: LoggedClient.Encryption
        var tlsVersion: String?
        var replication: Bool
    }

    static let received = "connection received: host="
    static let authorized = "connection authorized: user="
    static let replicationAuthorized = "replication connection authorized: user="

    static func parse(_ message: Substring) -> ConnectionMessage? {
        if message.hasPrefix(received) {
            let rest = message.dropFirst(received.count)
            return .received(host: String(rest.split(separator: " ", maxSplits: 1).first ?? rest))
        }
        let replication = message.hasPrefix(replicationAuthorized)
        guard replication || message.hasPrefix(authorized) else { return nil }
        var rest = message.dropFirst(replication ? replicationAuthorized.count : authorized.count)
        var encryption = LoggedClient.Encryption.plain
        var tlsVersion: String?
        // The suffixes come last, GSS after SSL: taken off from the end.
        if rest.hasSuffix(")"), let range = rest.range(of: " GSS (", options: .backwards) {
            if rest[range.upperBound...].contains("encrypted=yes") { encryption = .gss }
            rest = rest[..<range.lowerBound]
        }
        if rest.hasSuffix(")"), let range = rest.range(of: " SSL enabled (protocol=", options: .backwards) {
            encryption = .ssl
            tlsVersion = rest[range.upperBound...].split(separator: ",", maxSplits: 1).first.map(String.init)
            rest = rest[..<range.lowerBound]
        }
        var application = ""
        if let range = rest.range(of: " application_name=", options: .backwards) {
            application = String(rest[range.upperBound...])
            rest = rest[..<range.lowerBound]
        }
        var database: String?
        if !replication, let range = rest.range(of: " database=", options: .backwards) {
            database = String(rest[range.upperBound...])
            rest = rest[..<range.lowerBound]
        }
        return .authorized(Authorized(user: String(rest), database: database, application: application,
                                      encryption: encryption, tlsVersion: tlsVersion, replication: replication))
    }
}
