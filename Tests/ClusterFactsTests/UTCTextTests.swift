@testable import ClusterFacts
import Foundation
import Testing
import TestSupport

/// The texts made with gmtime_r are the ones Foundation's formatters made
/// (the formatters are the oracle here, and only here), on dates a
/// certificate or a run can carry, fractions of a second included.
struct UTCTextTests {
    static func dates() -> [Date] {
        var random = SeededRandom(seed: 24)
        // 1950 (UTCTime's first year) to 9999-12-31 (certificates that never expire), and edges of seconds.
        var dates = (0..<400).map { _ in Date(timeIntervalSince1970: Double.random(in: -631_152_000...253_402_300_799, using: &random)) }
        dates += [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_198_482.9996),
                  Date(timeIntervalSince1970: 1_796_198_482.9994), Date(timeIntervalSince1970: 253_402_300_799)]
        return dates
    }

    @Test func iso8601IsWhatISO8601DateFormatterPrinted() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for date in Self.dates() {
            #expect(UTCText.iso8601(date) == formatter.string(from: date), "\(date.timeIntervalSince1970)")
        }
    }

    /// `minute` (certificate findings) and `compact` (backup and run names), each against the pattern it replaced.
    @Test(arguments: [("yyyy-MM-dd HH:mm 'UTC'", "minute"), ("yyyyMMdd'T'HHmmss'Z'", "compact")])
    func patternsAreWhatTheDateFormatterPrinted(pattern: String, made: String) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        for date in Self.dates() {
            let text = made == "minute" ? UTCText.minute(date) : UTCText.compact(date)
            #expect(text == formatter.string(from: date), "\(made) \(date.timeIntervalSince1970)")
        }
    }

    /// Except within a microsecond under a millisecond, where the style cut `.123` read back
    /// from its own text (a Double a hair under it) to `.122` (`aTimeReadBackPrintsTheSameText`).
    @Test func millisecondsAreWhatTheFormatStylePrinted() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let time = Date.ISO8601FormatStyle.iso8601.time(includingFractionalSeconds: true)
        for date in Self.dates() {
            let milliseconds = (date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)) * 1000
            let gap = milliseconds.rounded(.up) - milliseconds
            guard gap == 0 || gap > 0.001 else { continue }
            #expect(UTCText.iso8601Milliseconds(date) == date.formatted(style), "\(date.timeIntervalSince1970)")
            #expect(UTCText.timeOfDay(date) == date.formatted(time), "\(date.timeIntervalSince1970)")
        }
    }

    /// Records written with milliseconds, and before them with whole seconds, read back as the format style read them.
    @Test func textsReadBackAsTheFormatStyleReadThem() throws {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true), whole = Date.ISO8601FormatStyle()
        var texts = Self.dates().flatMap { [UTCText.iso8601Milliseconds($0), UTCText.iso8601($0)] }
        texts += ["2026-12-02T08:01:22.5Z", "2026-12-02T08:01:22.123456Z", "2026-12-02T08:01:22.123+01:00", "2026-12-02T08:01:22-05:30",
                  "2026-02-31T08:01:22Z", "2026-12-02T24:00:00Z"]
        for text in texts {
            let expected = try #require((try? withFraction.parse(text)) ?? (try? whole.parse(text)), "\(text)")
            let read = try #require(UTCText.parse(text), "\(text)")
            // Within a tenth of the texts' millisecond: at year 9999 a Double's last bit is 30 µs.
            #expect(abs(read.timeIntervalSince1970 - expected.timeIntervalSince1970) < 0.000_1, "\(text)")
        }
    }

    @Test func anythingElseIsNotATime() {
        for text in ["", "2026-12-02", "2026-12-02 08:01:22Z", "2026-12-02T08:01:22", "2026-12-02T08:01:22.Z", "2026-13-02T08:01:22Z",
                     "2026-12-02T08:61:22Z", "2026-12-02T08:01:22Zjunk", "２026-12-02T08:01:22Z", "2026-12-02T08:01:22+1:00",
                     "2026-12-02T08:01:22.1234567890Z", "-026-12-02T08:01:22Z"] {
            #expect(UTCText.parse(text) == nil, "\(text)")
        }
    }

    /// A record saved again by resume, keep or rollback keeps its times: before, about half
    /// of all milliseconds lost one at each read and write.
    @Test func aTimeReadBackPrintsTheSameText() throws {
        for index in 0..<1000 {
            let text = "2026-12-02T08:01:22." + String(1000 + index).dropFirst() + "Z"
            let read = try #require(UTCText.parse(text))
            #expect(UTCText.iso8601Milliseconds(read) == text)
        }
    }

    /// A float from a server can be infinite, not a number, or centuries away: one fixed text, no trap.
    @Test func timesOutsideTheCalendarPrintOneText() {
        for seconds in [Double.infinity, -Double.infinity, Double.nan, 1e300, -1e300, 253_402_300_800, -62_167_219_201] {
            let date = Date(timeIntervalSince1970: seconds)
            for text in [UTCText.iso8601(date), UTCText.minute(date), UTCText.compact(date), UTCText.iso8601Milliseconds(date), UTCText.timeOfDay(date)] {
                #expect(text == UTCText.outOfRange, "\(seconds)")
            }
        }
        #expect(UTCText.iso8601(Date(timeIntervalSince1970: 253_402_300_799)) == "9999-12-31T23:59:59Z")
    }

    /// A server's float8 time no text can hold becomes no time; a record never holds one.
    @Test func aTimeNoTextCanHoldIsNoTimeAndIsNeverWritten() throws {
        for seconds in [Double.infinity, -Double.infinity, Double.nan, 1e300, 253_402_300_800] {
            #expect(UTCText.serverTime(seconds) == nil, "\(seconds)")
            #expect(throws: EncodingError.self) { try StoredJSON.bytes([Date(timeIntervalSince1970: seconds)]) }
        }
        #expect(UTCText.serverTime(1_796_198_482.5) == Date(timeIntervalSince1970: 1_796_198_482.5))
        #expect(UTCText.serverTime(nil) == nil)
    }
}
