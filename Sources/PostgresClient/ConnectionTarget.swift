import CLibPQ

/// Where and how to connect: the operator's conninfo string or URI, plus
/// keywords the wizard adds (they win over the operator's).
///
/// libpq itself resolves everything else (PG* environment variables,
/// `.pgpass`, `pg_service.conf`), so the target never needs to know them.
/// The original text may hold a password; it is never printed.
public struct ConnectionTarget: Sendable, Hashable {
    public let conninfo: String
    public private(set) var overrides: [Keyword]

    public struct Keyword: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// Fails with `.invalidConnectionString` when libpq cannot parse it.
    public init(_ conninfo: String) throws(PostgresError) {
        self.conninfo = conninfo
        self.overrides = []
        _ = try Self.parse(conninfo)
    }

    /// The same target with `name=value` forced (for example `sslmode=require`).
    public func with(_ name: String, _ value: String) -> ConnectionTarget {
        var copy = self
        copy.overrides.removeAll { $0.name == name }
        copy.overrides.append(Keyword(name: name, value: value))
        return copy
    }

    /// Keywords the operator set explicitly (overrides included), password aside.
    public var explicitKeywords: [String: String] {
        var result: [String: String] = [:]
        if let options = try? Self.parse(conninfo) {
            for (key, value) in options where !ConninfoScrubber.isSecretKeyword(key) { result[key] = value }
        }
        for keyword in overrides where !ConninfoScrubber.isSecretKeyword(keyword.name) { result[keyword.name] = keyword.value }
        return result
    }

    /// Whether the string itself holds a password (or another secret keyword).
    public var carriesPassword: Bool { !ConninfoScrubber.secrets(in: conninfo).isEmpty }

    /// A description for screens and logs: never contains a password.
    public var redactedDescription: String {
        let keys = explicitKeywords
        let shown = ["host", "hostaddr", "port", "dbname", "user", "sslmode", "service"]
        let parts = shown.compactMap { key in keys[key].map { "\(key)=\($0)" } }
        // A value can still carry one: libpq reads `postgresql://h/db password=x`
        // as a database named "db password=x" (found by the conninfo fuzzer).
        return parts.isEmpty ? "(libpq defaults)" : ConninfoScrubber.scrub(parts.joined(separator: " "), conninfo: conninfo,
                                                                           extraSecrets: ConninfoScrubber.secrets(of: overrides))
    }

    /// libpq's parse of a conninfo string or URI into keyword -> value.
    static func parse(_ conninfo: String) throws(PostgresError) -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "unparsable"
            if let errorMessage { PQfreemem(errorMessage) }
            throw .invalidConnectionString(ConninfoScrubber.scrub(message.trimmingTrailingNewlines, conninfo: conninfo))
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            cursor += 1
        }
        return result
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while let last = text.last, last.isNewline || last == " " { text.removeLast() }
        return text
    }
}
