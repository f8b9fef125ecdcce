import Foundation

/// The offset from UTC the log pane's clock shows, as a value: the runtime
/// reads the machine's zone (`LocalClockZone`, libc) and sends it as an
/// event, so drawing reads nothing. Each log line keeps the offset it was
/// written under, so a change to or from summer time moves no earlier line.
public struct ClockZone: Hashable, Sendable {
    public var secondsFromUTC: Int

    public init(secondsFromUTC: Int) { self.secondsFromUTC = secondsFromUTC }

    public static let utc = ClockZone(secondsFromUTC: 0)

    /// `HH:MM:SS.mmm`, with milliseconds: two reloads and a dead-man check often share a second.
    public func clock(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        guard whole.isFinite, abs(whole) < 1e15 else { return "--:--:--.---" }
        let milliseconds = min(999, Int(((date.timeIntervalSince1970 - whole) * 1000).rounded()))
        let seconds = Int(whole) + secondsFromUTC % 86_400
        let ofDay = ((seconds % 86_400) + 86_400) % 86_400
        return two(ofDay / 3600) + ":" + two(ofDay / 60 % 60) + ":" + two(ofDay % 60) + "." + two(milliseconds / 10) + String(milliseconds % 10)
    }

    private func two(_ value: Int) -> String { value < 10 ? "0" + String(value) : String(value) }
}
