import Foundation
import WizardUI
#if canImport(Glibc)
import Glibc
#endif

/// The machine's offset from UTC at a moment, from libc (localtime_r reads
/// TZ and /etc/localtime), not from Foundation's TimeZone, which opens
/// ICU's zone data: megabytes of the binary in memory for one clock
/// (docs/DESIGN.md, "Code layout").
enum LocalClockZone {
    static func at(_ date: Date) -> ClockZone {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        return ClockZone(secondsFromUTC: localtime_r(&time, &parts) == nil ? 0 : Int(parts.tm_gmtoff))
    }
}
