import Foundation
import Testing
@testable import WizardUI

/// The log pane's clock, made without ICU, shows what the Calendar showed
/// for the same zone: fixed offsets, and the machine's own zone through libc.
struct ClockZoneTests {
    static func calendarClock(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute, .second, .nanosecond], from: date)
        let milliseconds = min(999, Int((Double(parts.nanosecond ?? 0) / 1_000_000).rounded()))
        return [parts.hour, parts.minute, parts.second].map { String(format: "%02d", $0 ?? 0) }.joined(separator: ":")
            + String(format: ".%03d", milliseconds)
    }

    static func dates() -> [Date] {
        // Spread over 60 years (every season, both sides of summer time), a different millisecond each.
        (0..<300).map { (index: Int) -> Date in
            let seconds: Int = index * 6_311_111 + index % 86_400
            let milliseconds: Int = index * 37 % 1000
            return Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1000)
        }
    }

    @Test func fixedOffsetsShowWhatTheCalendarShowed() {
        for offset in [0, 3600, -5 * 3600, 5 * 3600 + 1800, 13 * 3600 + 2700, -12 * 3600] {
            for date in Self.dates() {
                #expect(ClockZone.fixed(secondsFromUTC: offset).clock(date) == Self.calendarClock(date, TimeZone(secondsFromGMT: offset)!),
                        "\(offset) \(date.timeIntervalSince1970)")
            }
        }
    }

    /// The machine's own zone, read by libc (TZ, /etc/localtime) as the Calendar reads it.
    @Test func localTimeIsTheMachinesZone() {
        for date in Self.dates() {
            #expect(ClockZone.local.clock(date) == Self.calendarClock(date, TimeZone.current), "\(date.timeIntervalSince1970)")
        }
    }
}
