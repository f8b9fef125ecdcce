import Foundation

/// Whether a connection's TLS settings, as libpq resolved them (keywords,
/// PG* variables, service files), are libpq's defaults, so that a `require`
/// client with them verifies and restricts nothing a bare handshake does not
/// (docs/POSTGRES.md, "SSL initialisation and reload").
enum LibpqTLSDefaults {
    /// Each keyword with the values that leave it at libpq's default (no
    /// value, or the default spelled out). A keyword this libpq does not know
    /// has no value. A client certificate counts too: libpq sends it when the
    /// server asks (it does when it has `ssl_ca_file`), and the server ends
    /// the handshake over one it does not trust.
    static let keywords: [(name: String, defaults: Set<String>)] = [
        ("sslrootcert", []),
        ("sslcrl", []),
        ("sslcrldir", []),
        ("sslcert", []),
        ("sslkey", []),
        ("ssl_min_protocol_version", ["TLSv1.2"]),
        ("ssl_max_protocol_version", []),
        ("sslnegotiation", ["postgres"]),
        ("sslcertmode", ["allow", "disable"]),
    ]

    /// The files libpq uses without being told, under `~/.postgresql`: the
    /// root certificate (with it even `require` verifies the server) and the
    /// client certificate.
    static let defaultFiles = ["root.crt", "postgresql.crt"]

    /// No root or client certificate under any home directory of libpq's.
    static func noDefaultFiles() -> Bool { !defaultFileExists(in: homeDirectories()) }

    static func settingsAreDefault(_ option: (String) -> String?) -> Bool {
        keywords.allSatisfy { keyword in
            guard let value = option(keyword.name), !value.isEmpty else { return true }
            return keyword.defaults.contains(value)
        }
    }

    /// As libpq looks for them: `stat` as this process (the effective user).
    static func defaultFileExists(in homes: [String]) -> Bool {
        homes.contains { home in
            defaultFiles.contains { name in
                var status = stat()
                return stat(home + "/.postgresql/" + name, &status) == 0
            }
        }
    }

    /// libpq's home directory is `HOME` or, depending on its release, the
    /// password database's: either counts.
    static func homeDirectories() -> [String] {
        var homes: [String] = []
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { homes.append(home) }
        // The reentrant lookup (connections are made on several threads at once), with room
        // for any entry libpq's own lookup would read.
        var buffer = [CChar](repeating: 0, count: 65_536)
        let passwordHome = buffer.withUnsafeMutableBufferPointer { storage -> String? in
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>?
            guard let start = storage.baseAddress, getpwuid_r(geteuid(), &entry, start, storage.count, &found) == 0, found != nil,
                  let directory = entry.pw_dir else { return nil }
            return String(cString: directory)
        }
        if let passwordHome, !homes.contains(passwordHome) { homes.append(passwordHome) }
        return homes
    }
}
