import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The zone of the log pane's clock. The machine's local time comes from
/// libc (localtime_r reads TZ and /etc/localtime), not from Foundation's
/// TimeZone and Calendar, which open ICU's zone data: megabytes of the
/// binary in memory for one clock (docs/DESIGN.md, "Code layout"). Tests
/// fix an offset.
public enum ClockZone: Hashable, Sendable {
    case local
    case fixed(secondsFromUTC: Int)

    /// `HH:MM:SS.mmm`, with milliseconds: two reloads and a dead-man check often share a second.
    public func clock(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let milliseconds = min(999, Int(((date.timeIntervalSince1970 - whole) * 1000).rounded()))
        let seconds = Int(whole) + secondsFromUTC(at: time_t(whole))
        let ofDay = ((seconds % 86_400) + 86_400) % 86_400
        return two(ofDay / 3600) + ":" + two(ofDay / 60 % 60) + ":" + two(ofDay % 60) + "." + two(milliseconds / 10) + String(milliseconds % 10)
    }

    func secondsFromUTC(at seconds: time_t) -> Int {
        switch self {
        case .fixed(let offset): return offset
        case .local:
            var time = seconds
            var parts = tm()
            return localtime_r(&time, &parts) == nil ? 0 : Int(parts.tm_gmtoff)
        }
    }

    private func two(_ value: Int) -> String { value < 10 ? "0" + String(value) : String(value) }
}
