import Foundation

/// CPU time spent by a block of runs on both sides: this process's reaped
/// children (the commands run, from getrusage, microseconds) and the
/// server's (its postmaster and the backends it has reaped, from
/// /proc/<pid>/stat, in clock ticks). Over a block of runs a tick's
/// rounding is spread thin. On two cores, a command that needs more CPU
/// than another, client and server together, cannot be as quick however its
/// work is overlapped: this says how much more.
enum CPUTime {
    /// Seconds of CPU per run of `runs` calls of `body`: the commands' and the server's.
    static func perRun(runs: Int, postmasterPID: Int32, _ body: () throws -> Void) throws -> (client: Double, server: Double) {
        let (client, server) = (clientSeconds(), try serverSeconds(postmasterPID))
        for _ in 0..<runs { try body() }
        return ((clientSeconds() - client) / Double(runs), (try serverSeconds(postmasterPID) - server) / Double(runs))
    }

    static func clientSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// utime, stime, cutime and cstime of the postmaster (fields 14-17 of
    /// /proc/<pid>/stat, counted after the command name's closing parenthesis).
    static func serverSeconds(_ pid: Int32) throws -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { throw BenchmarkFailure("cannot read /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3): utime is field 14, so fields[11]...fields[14].
        guard fields.count > 14 else { throw BenchmarkFailure("/proc/\(pid)/stat is short") }
        let ticks = fields[11...14].compactMap { Double($0) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The first line of postmaster.pid.
    static func postmasterPID(dataDirectory: String) throws -> Int32 {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw BenchmarkFailure("no postmaster.pid in \(dataDirectory)")
        }
        return pid
    }
}
