import Foundation

/// Watches every process's command line (`/proc/<pid>/cmdline`, which every
/// local user may read) for a secret while `body` runs, as another local user
/// polling /proc would: whether any showed it, and whose.
public enum CommandLineWatch {
    public static func whileRunning<T>(lookingFor secret: String, _ body: () throws -> T) rethrows -> (result: T, shownBy: [String]) {
        let watch = Watch(secret: secret)
        Thread { watch.poll() }.start()
        defer { watch.stop() }
        // The body starts after a first whole sweep: the watch is already looking when its first child starts.
        watch.firstSweep.wait()
        let result = try body()
        watch.stop()
        return (result, watch.shownBy)
    }

    private final class Watch: @unchecked Sendable {
        let secret: String
        let firstSweep = DispatchSemaphore(value: 0)
        private let ended = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var stopped = false
        private var seen: [String] = []

        init(secret: String) { self.secret = secret }

        var shownBy: [String] { lock.lock(); defer { lock.unlock() }; return seen }

        func poll() {
            var swept = false
            while !isStopped {
                // The same sweep that finds what a destroyed sandbox left running.
                for pid in LeftoverProcesses.mentioning([secret]) {
                    let name = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
                        .map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } ?? "pid \(pid)"
                    lock.lock(); if !seen.contains(name) { seen.append(name) }; lock.unlock()
                }
                if !swept { swept = true; firstSweep.signal() }
                usleep(10_000)
            }
            if !swept { firstSweep.signal() }
            ended.signal()
        }

        private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

        /// Returns once the poller has ended its last sweep (at once when called again).
        func stop() {
            lock.lock(); let first = !stopped; stopped = true; lock.unlock()
            if first { ended.wait() }
        }
    }
}
