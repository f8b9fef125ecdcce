import Foundation

/// A process as the kernel knows it: its pid and the moment it started
/// (`/proc/<pid>/stat` field 22, in clock ticks since boot). A pid alone is
/// reused; a pid with its start time names one process for good, whatever
/// its command line says.
public struct ProcessIdentity: Hashable, Sendable, Codable {
    public var pid: Int32
    public var startTicks: UInt64

    public static var current: ProcessIdentity? { of(getpid()) }

    /// The live (not zombie) process `pid` now.
    public static func of(_ pid: Int32) -> ProcessIdentity? {
        guard pid > 1, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm) ": state is field 3, start time field 22.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", let start = UInt64(fields[19]) else { return nil }
        return ProcessIdentity(pid: pid, startTicks: start)
    }
}
