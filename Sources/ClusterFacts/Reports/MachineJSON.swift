import Foundation

/// The version of the JSON contracts scripts and playbooks read (`plan
/// --json`, `apply --json`, `status --json`): keys are only ever added within
/// a version; a removed or changed key makes the next one (README, "JSON contracts").
public enum JSONContract {
    public static let schema = 1
}

/// Times in journals, records, reports and JSON: ISO 8601 with
/// milliseconds, so two reloads and a dead-man check in one second are
/// told apart. Times written before (whole seconds) still read. Made and
/// read without Foundation's format styles, which open ICU's zone data
/// (`UTCText`).
public enum JSONTime {
    public static func text(_ date: Date) -> String { UTCText.iso8601Milliseconds(date) }

    public static func date(_ text: String) -> Date? { UTCText.parse(text) }

    /// A time no text can hold is refused, not written as a display text the decoding would refuse.
    @Sendable public static func checkedText(_ date: Date) throws -> String {
        guard UTCText.representable.contains(date.timeIntervalSince1970) else {
            // The seconds, not the Date: describing an infinite Date traps.
            throw EncodingError.invalidValue(date.timeIntervalSince1970, .init(codingPath: [], debugDescription: "a time outside years 0-9999"))
        }
        return text(date)
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

/// The JSON of every machine-readable output (plans, runs, reports,
/// status, certificates, pg_hba.conf rows): sorted keys, snake_case keys
/// made from the Swift names (no hand-written key lists to drift), ISO 8601
/// dates. Dictionary keys (TLS version names, file paths) stay as they are.
public enum ReportJSON {
    /// The bytes of JSONEncoder with `.prettyPrinted`, `.sortedKeys`,
    /// `.withoutEscapingSlashes` and `.convertToSnakeCase` (JSONWriterTests).
    public static let writer = JSONWriter(layout: .pretty, keys: .snakeCase, time: JSONTime.checkedText)

    public static func text<T: Encodable>(_ value: T) -> String {
        (try? writer.text(value)) ?? "{}"
    }
}

/// The JSON of the files the wizard writes for itself and reads back: run
/// records, journal lines, the watchdog's orders, practice records. Keys as
/// declared, since changing them would orphan the records of earlier runs;
/// one line per value; ISO 8601 dates.
public enum StoredJSON {
    /// The bytes of JSONEncoder with `.sortedKeys` and `.withoutEscapingSlashes`
    /// (JSONWriterTests): the journal writes a line at every step of a run,
    /// the run record at every change.
    public static let writer = JSONWriter(layout: .compact, keys: .asDeclared, time: JSONTime.checkedText)

    public static func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        try writer.bytes(value)
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = JSONTime.decoding
        return decoder
    }
}
