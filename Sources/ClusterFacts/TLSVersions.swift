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

/// The version of the JSON contracts scripts and playbooks read (`plan
/// --json`, `apply --json`, `status --json`): keys are only ever added within
/// a version; a removed or changed key makes the next one (README, "JSON contracts").
public enum JSONContract {
    public static let schema = 1
}

/// Times in journals, records, reports and JSON: ISO 8601 with
/// milliseconds, so two reloads and a dead-man check in one second are
/// told apart. Times written before (whole seconds) still read.
public enum JSONTime {
    public static func text(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func date(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    public static let encoding = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(text(date))
    }

    public static let decoding = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let container = try decoder.singleValueContainer()
        let value = try container.decode(String.self)
        guard let date = date(value) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(value)")
        }
        return date
    }
}

/// The JSON form of every report and plan: sorted keys, snake_case, ISO 8601 dates.
public enum ReportJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = JSONTime.encoding
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    public static func text<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? encoder().encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
