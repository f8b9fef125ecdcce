import ClusterFacts
import Foundation

/// The two messages `log_connections` writes that the inventory reads
/// (docs/POSTGRES.md, "The server log as evidence"): "connection received:
/// host=H port=P" when the connection arrives, and "connection authorized:
/// user=U database=D application_name=A" (walsenders: "replication
/// connection authorized: user=U application_name=A"), followed by
/// " SSL enabled (protocol=V, cipher=C, bits=N)" and/or " GSS (...,
/// encrypted=yes, ...)". Names come from clients and roles: they are read,
/// never trusted to be free of these words. Parsed on bytes: a busy log has
/// millions of these lines.
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

    static let received = Array("connection received: host=".utf8)
    static let authorized = Array("connection authorized: user=".utf8)
    static let replicationAuthorized = Array("replication connection authorized: user=".utf8)
    static let gss = Array(" GSS (".utf8)
    static let gssEncrypted = Array("encrypted=yes".utf8)
    static let ssl = Array(" SSL enabled (protocol=".utf8)
    static let application = Array(" application_name=".utf8)
    static let database = Array(" database=".utf8)

    static func parse(_ message: ArraySlice<UInt8>) -> ConnectionMessage? {
        if message.starts(with: received) {
            let rest = message.dropFirst(received.count)
            return .received(host: String(decoding: rest.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self))
        }
        let replication = message.starts(with: replicationAuthorized)
        guard replication || message.starts(with: authorized) else { return nil }
        var rest = message.dropFirst(replication ? replicationAuthorized.count : authorized.count)
        var encryption = LoggedClient.Encryption.plain
        var tlsVersion: String?
        // The suffixes come last, GSS after SSL: taken off from the end.
        if rest.last == UInt8(ascii: ")"), let at = lastIndex(of: gss, in: rest) {
            if firstIndex(of: gssEncrypted, in: rest[at...]) != nil { encryption = .gss }
            rest = rest[..<at]
        }
        if rest.last == UInt8(ascii: ")"), let at = lastIndex(of: ssl, in: rest) {
            encryption = .ssl
            tlsVersion = String(decoding: rest[(at + ssl.count)...].prefix { $0 != UInt8(ascii: ",") }, as: UTF8.self)
            rest = rest[..<at]
        }
        var applicationName = ""
        if let at = lastIndex(of: application, in: rest) {
            applicationName = String(decoding: rest[(at + application.count)...], as: UTF8.self)
            rest = rest[..<at]
        }
        var databaseName: String?
        if !replication, let at = lastIndex(of: database, in: rest) {
            databaseName = String(decoding: rest[(at + database.count)...], as: UTF8.self)
            rest = rest[..<at]
        }
        return .authorized(Authorized(user: String(decoding: rest, as: UTF8.self), database: databaseName, application: applicationName,
                                      encryption: encryption, tlsVersion: tlsVersion, replication: replication))
    }

    static func lastIndex(of needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.endIndex - needle.count
        while index >= bytes.startIndex {
            if bytes[index] == needle[0] && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }

    static func firstIndex(of needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        LogLinePrefix.find(needle, in: bytes, from: bytes.startIndex)
    }
}
