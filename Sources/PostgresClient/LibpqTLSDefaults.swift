import Foundation

/// Whether a connection's TLS settings, as libpq resolved them (keywords,
/// PG* variables, service files), are libpq's defaults, so that a `require`
/// client with them verifies and restricts nothing a bare handshake does not
/// (docs/POSTGRES.md, "SSL initialisation and reload").
enum LibpqTLSDefaults {
    /// Each keyword with the values that leave it at libpq's default (no
    /// value, or the default spelled out). A keyword this libpq does not know
    /// has no value.
    static let keywords: [(name: String, defaults: Set<String>)] = [
        ("sslrootcert", []),
        ("sslcrl", []),
        ("sslcrldir", []),
        ("ssl_min_protocol_version", ["TLSv1.2"]),
        ("ssl_max_protocol_version", []),
        ("sslnegotiation", ["postgres"]),
        ("sslcertmode", ["allow", "disable"]),
    ]

    static func hold(_ option: (String) -> String?) -> Bool {
        settingsAreDefault(option) && !defaultRootCertificateExists()
    }

    static func settingsAreDefault(_ option: (String) -> String?) -> Bool {
        keywords.allSatisfy { keyword in
            guard let value = option(keyword.name), !value.isEmpty else { return true }
            return keyword.defaults.contains(value)
        }
    }

    /// libpq verifies a `require` server against `~/.postgresql/root.crt`
    /// when that file exists; the home directory is `HOME` or, depending on
    /// the libpq release, the password database's: either counts.
    static func defaultRootCertificateExists() -> Bool {
        var homes: [String] = []
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { homes.append(home) }
        // The reentrant lookup: connections are made on several threads at once.
        var buffer = [CChar](repeating: 0, count: 4096)
        let passwordHome = buffer.withUnsafeMutableBufferPointer { storage -> String? in
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>?
            guard let start = storage.baseAddress, getpwuid_r(geteuid(), &entry, start, storage.count, &found) == 0, found != nil,
                  let directory = entry.pw_dir else { return nil }
            return String(cString: directory)
        }
        if let passwordHome { homes.append(passwordHome) }
        return homes.contains { access($0 + "/.postgresql/root.crt", F_OK) == 0 }
    }
}
