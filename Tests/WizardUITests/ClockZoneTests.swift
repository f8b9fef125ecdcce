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
                #expect(ClockZone(secondsFromUTC: offset).clock(date) == Self.calendarClock(date, TimeZone(secondsFromGMT: offset)!),
                        "\(offset) \(date.timeIntervalSince1970)")
            }
        }
    }

    /// A line keeps the offset it was written under: the change to summer time moves no earlier line.
    @Test func aLineKeepsTheOffsetItWasWrittenUnder() throws {
        var model = WizardModel(content: try WizardFixtures.content(), now: WizardFixtures.start, clockZone: .utc)
        _ = model.update(.runFailed("first", at: WizardFixtures.start))
        _ = model.update(.clockZone(ClockZone(secondsFromUTC: 3600)))
        _ = model.update(.runFailed("second", at: WizardFixtures.start))
        let lines = model.log.suffix(2).map { $0.zone.clock($0.at) + " " + $0.text }
        #expect(lines == ["08:00:00.000 the run stopped: first", "09:00:00.000 the run stopped: second"], "\(lines)")
    }
}
