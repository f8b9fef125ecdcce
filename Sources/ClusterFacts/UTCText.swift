import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Dates as the wizard prints them, in UTC, made with gmtime_r. Foundation's
/// date formatters open ICU's locale, calendar and zone data, megabytes of
/// the binary brought into memory for texts whose shape never depends on a
/// locale (docs/DESIGN.md, "Code layout"). Dates before 1582-10-15 are
/// proleptic Gregorian, the calendar X.509 encodes them in (the formatters
/// switched to the Julian calendar there).
public enum UTCText {
    /// What a time outside years 0-9999 (or not a number: a float from a server) prints as.
    public static let outOfRange = "(no valid time)"

    /// `2026-12-02T08:01:22Z`, as ISO8601DateFormatter printed it.
    public static func iso8601(_ date: Date) -> String {
        guard let parts = fields(date) else { return outOfRange }
        return day(parts, "-") + "T" + time(parts, ":") + "Z"
    }

    /// `2026-12-02 08:01 UTC`.
    public static func minute(_ date: Date) -> String {
        guard let parts = fields(date) else { return outOfRange }
        return day(parts, "-") + " " + digits(Int(parts.tm_hour), 2) + ":" + digits(Int(parts.tm_min), 2) + " UTC"
    }

    /// `20261202T080122Z`: names of backups and run files.
    public static func compact(_ date: Date) -> String {
        guard let parts = fields(date) else { return outOfRange }
        return day(parts, "") + "T" + time(parts, "") + "Z"
    }

    /// `2026-12-02T08:01:22.123Z`: journals, records, reports and JSON (`JSONTime`).
    public static func iso8601Milliseconds(_ date: Date) -> String {
        guard let (parts, milliseconds) = fieldsAndMilliseconds(date) else { return outOfRange }
        return day(parts, "-") + "T" + time(parts, ":") + "." + digits(milliseconds, 3) + "Z"
    }

    /// `08:01:22.123`: the time of day on apply's progress lines.
    public static func timeOfDay(_ date: Date) -> String {
        guard let (parts, milliseconds) = fieldsAndMilliseconds(date) else { return outOfRange }
        return time(parts, ":") + "." + digits(milliseconds, 3)
    }

    /// What `iso8601` and `iso8601Milliseconds` print, back: `yyyy-MM-ddTHH:mm:ss`, an optional
    /// fraction of up to 9 digits, then `Z` or `+hh:mm`/`-hh:mm`. Anything else is nil.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect("T"),
              let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
              (1...12).contains(month), (1...31).contains(day), hour <= 24, minute <= 59, second <= 60 else { return nil }
        var fraction = 0.0
        if expect(".") {
            let start = index
            while index < bytes.count, index - start < 9, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            guard index > start, let digits = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
            fraction = digits / pow(10, Double(index - start))
        }
        var offset = 0
        if !expect("Z") {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), expect(":"), let minutes = number(2), hours <= 23, minutes <= 59 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        // timegm carries day 31 of a short month, or hour 24, into the next, as the format style did.
        return Date(timeIntervalSince1970: Double(timegm(&parts) - offset) + fraction)
    }

    /// Seconds since 1970 of 0000-01-01 and of 9999-12-31 23:59:59: the times the texts can hold.
    public static let representable = -62_167_219_200.0...253_402_300_799.0

    /// A time the server sent as seconds since 1970 (a float8 can be `Infinity` or
    /// centuries away), or nil when no text above could hold it.
    public static func serverTime(_ seconds: Double?) -> Date? {
        seconds.flatMap { representable.contains($0) ? Date(timeIntervalSince1970: $0) : nil }
    }

    /// To the nearest millisecond first, then down to the second, as the formatters did.
    static func fields(_ date: Date) -> tm? {
        let seconds = ((date.timeIntervalSince1970 * 1000).rounded() / 1000).rounded(.down)
        return representable.contains(seconds) ? broken(time_t(seconds)) : nil
    }

    /// Whole seconds down, and the milliseconds of the microsecond nearest the fraction: a time read
    /// back from its text (`.123` is a Double a hair under it) prints the same text again.
    static func fieldsAndMilliseconds(_ date: Date) -> (tm, Int)? {
        let whole = date.timeIntervalSince1970.rounded(.down)
        guard representable.contains(whole), let parts = broken(time_t(whole)) else { return nil }
        let microseconds = Int(((date.timeIntervalSince1970 - whole) * 1_000_000).rounded())
        return (parts, min(999, microseconds / 1000))
    }

    static func broken(_ seconds: time_t) -> tm? {
        var time = seconds
        var parts = tm()
        return gmtime_r(&time, &parts) == nil ? nil : parts
    }

    static func day(_ parts: tm, _ separator: String) -> String {
        digits(Int(parts.tm_year) + 1900, 4) + separator + digits(Int(parts.tm_mon) + 1, 2) + separator + digits(Int(parts.tm_mday), 2)
    }

    static func time(_ parts: tm, _ separator: String) -> String {
        digits(Int(parts.tm_hour), 2) + separator + digits(Int(parts.tm_min), 2) + separator + digits(Int(parts.tm_sec), 2)
    }

    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
