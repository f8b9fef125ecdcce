import ClusterFacts
import SQLCatalogue

/// The settings every wizard session starts with, sent in the startup
/// packet (`options=-c ...`). Client startup options outrank what a database
/// owner or a role can attach with `ALTER DATABASE/ROLE ... SET`, so a hostile
/// owner cannot put `public` in front of `pg_catalog` for the wizard's
/// superuser session (docs/SECURITY.md, "SQL"). The profile is checked after
/// connecting: a session where it did not take is closed, never used.
public enum SessionProfile {
    /// Name, value: only settings every supported version (13-18) knows,
    /// since an unknown `-c` name refuses the connection.
    public static let settings: [(name: String, value: String)] = [
        // The session's own role: `ALTER DATABASE ... SET role` by an owner would
        // otherwise run the wizard as that owner (and make every undo fail).
        ("role", "none"),
        // pg_catalog only: no schema a role can create in is ever searched
        // for a function, operator, type or relation; pg_temp last.
        ("search_path", "pg_catalog, pg_temp"),
        // Values come back as the server stores them, whatever a database owner set (SJIS, LATIN1...).
        ("client_encoding", "UTF8"),
        ("timezone", "UTC"),
        // `'` doubled is the only escape ALTER SYSTEM literals need.
        ("standard_conforming_strings", "on"),
        // Times and floats are parsed back: a hostile owner's DateStyle or
        // extra_float_digits must not change what the wizard reads.
        ("datestyle", "ISO, YMD"),
        ("extra_float_digits", "3"),
        ("intervalstyle", "postgres"),
        ("bytea_output", "hex"),
        // A hostile default could make an undo statement fail half way.
        ("default_transaction_read_only", "off"),
        ("statement_timeout", "0"),
        ("lock_timeout", "0"),
        ("idle_in_transaction_session_timeout", "0"),
    ]

    /// `-c` switches for the `options` keyword, made once. Blanks inside a
    /// value are escaped with a backslash, as the server's option splitter expects.
    public static let startupOptions: String = settings.map { "-c \($0.name)=\(escapingBlanks($0.value))" }.joined(separator: " ")

    static func escapingBlanks(_ value: String) -> String {
        var escaped = ""
        for character in value {
            if character == " " { escaped += "\\ " } else { escaped.append(character) }
        }
        return escaped
    }

    /// The operator's own `options` (conninfo or PGOPTIONS) come first; ours
    /// follow and win, as the server applies `-c` switches in order.
    /// `serverVersion`, when known from an earlier session of this process,
    /// adds the version-specific timeouts to the startup packet too, where a
    /// database's tiny `idle_session_timeout` cannot cut the session before
    /// the SET that follows the connection.
    public static func options(after operatorOptions: String?, serverVersion: Int? = nil) -> String {
        let versioned = serverVersion.map { versionedSettingsAsOptions(serverVersion: $0) } ?? ""
        let ours = versioned.isEmpty ? startupOptions : startupOptions + " " + versioned
        guard let operatorOptions, !operatorOptions.trimmingBlanks.isEmpty else { return ours }
        return operatorOptions + " " + ours
    }

    static func versionedSettingsAsOptions(serverVersion: Int) -> String {
        var switches: [String] = []
        if serverVersion >= 140000 { switches.append("-c idle_session_timeout=0") }
        if serverVersion >= 170000 { switches.append("-c transaction_timeout=0") }
        return switches.joined(separator: " ")
    }

    /// Timeouts that only some versions know (an unknown `-c` name would
    /// refuse the connection), set once connected.
    static func versionedSettings(serverVersion: Int) -> [String] { InspectionQueries.sessionTimeouts(serverVersion: serverVersion) }

    /// The statement that reads the profile back.
    static let check = InspectionQueries.searchPathCheck
    static let expectedSearchPath = "pg_catalog, pg_temp"
}
