import Foundation

/// "2026-12-01 19:00:00.123 UTC" as the server writes it in `log_timezone`:
/// the digits are read, the zone word is not (abbreviations are ambiguous);
/// the zone comes from the server's `log_timezone` setting instead. The
/// start of each minute is computed once: a busy log has thousands of
/// connection lines a minute.
struct LogTime {
    let calendar: Calendar
    var minuteCache: (key: Int, start: Date)?

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    mutating func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " ") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var fraction = 0.0
        if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            var scale = 0.1
            for byte in bytes[20...] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { break }
                fraction += Double(byte - UInt8(ascii: "0")) * scale
                scale /= 10
            }
        }
        let key = ((((year * 13 + month) * 32 + day) * 24 + hour) * 60 + minute)
        let start: Date
        if let cached = minuteCache, cached.key == key {
            start = cached.start
        } else {
            guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)) else { return nil }
            minuteCache = (key, date)
            start = date
        }
        return start.addingTimeInterval(Double(second) + fraction)
    }
}
