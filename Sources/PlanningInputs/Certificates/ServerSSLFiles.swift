import Certificates
import ClusterFacts
import Foundation
import HostIO

/// Where a server's SSL files are and whom they must belong to, read from
/// its settings (relative paths are relative to the data directory) or from
/// a data directory on disk, plus the names clients use by default.
public struct ServerSSLFiles: Sendable {
    public var certificate: String
    public var key: String
    public var ca: String?
    public var serverUser: FileOwner
    public var passphrase: PassphraseSetting
    public var dataDirectory: String?
    public var listenNames: [String]

    public init(certificate: String, key: String, ca: String?, serverUser: FileOwner, passphrase: PassphraseSetting,
                dataDirectory: String?, listenNames: [String]) {
        self.certificate = certificate
        self.key = key
        self.ca = ca
        self.serverUser = serverUser
        self.passphrase = passphrase
        self.dataDirectory = dataDirectory
        self.listenNames = listenNames
    }

    public static func from(_ snapshot: ClusterSnapshot) -> ServerSSLFiles {
        let directory = snapshot.server.dataDirectory
        // An empty ssl_cert_file / ssl_key_file is what the server then tries
        // to open (and fails on): inspect the data directory itself, reported missing.
        func path(_ name: String, default fallback: String) -> String? {
            let value = snapshot.setting(name)?.value ?? fallback
            guard !value.isEmpty else { return nil }
            return value.hasPrefix("/") ? value : directory + "/" + value
        }
        let owner = OSUser.owner(of: directory)
        return ServerSSLFiles(
            certificate: path("ssl_cert_file", default: "server.crt") ?? directory + "/(ssl_cert_file is empty)",
            key: path("ssl_key_file", default: "server.key") ?? directory + "/(ssl_key_file is empty)",
            ca: path("ssl_ca_file", default: ""),
            serverUser: FileOwner(name: owner?.name ?? "postgres", uid: owner?.uid ?? 0, gid: owner?.gid ?? 0),
            passphrase: PassphraseSetting(commandConfigured: !(snapshot.setting("ssl_passphrase_command")?.value ?? "").isEmpty,
                                          supportsReload: snapshot.setting("ssl_passphrase_command_supports_reload")?.value == "on"),
            dataDirectory: directory,
            listenNames: snapshot.server.listenAddresses.split(separator: ",")
                .map { $0.trimmingBlanks }
                .filter { !$0.isEmpty && $0 != "*" && $0 != "0.0.0.0" && $0 != "::" })
    }

    /// The defaults of a data directory: server.crt, server.key, root.crt when present.
    public static func from(dataDirectory directory: String) -> ServerSSLFiles {
        let owner = OSUser.owner(of: directory)
        let ca = directory + "/root.crt"
        return ServerSSLFiles(certificate: directory + "/server.crt", key: directory + "/server.key",
                              ca: FileManager.default.fileExists(atPath: ca) ? ca : nil,
                              serverUser: FileOwner(name: owner?.name ?? "postgres", uid: owner?.uid ?? 0, gid: owner?.gid ?? 0),
                              passphrase: PassphraseSetting(), dataDirectory: directory, listenNames: [])
    }

    /// The host's name and fully qualified name, the default names clients use.
    public static func hostNames() -> [String] {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, 255) == 0 else { return [] }
        let short = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var names = [short]
        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        var result: UnsafeMutablePointer<addrinfo>?
        if getaddrinfo(short, nil, &hints, &result) == 0, let result {
            if let canonical = result.pointee.ai_canonname.map({ String(cString: $0) }), canonical != short { names.append(canonical) }
            freeaddrinfo(result)
        }
        return names
    }

    /// Whether `path` lies inside a PostgreSQL data directory (a CA key must not).
    public static func isInsideDataDirectory(_ path: String) -> Bool {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("PG_VERSION").path) { return true }
            url.deleteLastPathComponent()
        }
        return false
    }
}
