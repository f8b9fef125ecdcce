import Foundation

/// Watches every process's command line (`/proc/<pid>/cmdline`, which every
/// local user may read) for a secret while `body` runs, as another local user
/// polling /proc would: whether any showed it, and whose.
public enum CommandLineWatch {
    public static func whileRunning<T>(lookingFor secret: String, _ body: () throws -> T) rethrows -> (result: T, shownBy: [String]) {
        let watch = Watch(secret: Array(secret.utf8))
        let thread = Thread { watch.poll() }
        thread.start()
        defer { watch.stop() }
        // The body starts after a first whole sweep: the watch is already looking when its first child starts.
        watch.firstSweep.wait()
        let result = try body()
        watch.stop()
        return (result, watch.shownBy)
    }

    private final class Watch: @unchecked Sendable {
        let secret: [UInt8]
        private let lock = NSLock()
        private var stopped = false
        private var finished = false
        private var seen: [String] = []
        let firstSweep = DispatchSemaphore(value: 0)

        init(secret: [UInt8]) { self.secret = secret }

        var shownBy: [String] { lock.lock(); defer { lock.unlock() }; return seen }

        func poll() {
            var swept = false
            while !isStopped {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where entry.allSatisfy(\.isNumber) {
                    guard let bytes = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                          Array(bytes).firstRange(of: secret) != nil else { continue }
                    let name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                    lock.lock(); if !seen.contains(name) { seen.append(name) }; lock.unlock()
                }
                if !swept { swept = true; firstSweep.signal() }
                usleep(10_000)
            }
            if !swept { firstSweep.signal() }
            lock.lock(); finished = true; lock.unlock()
        }

        private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

        /// Returns once the poller has ended its last sweep.
        func stop() {
            lock.lock(); stopped = true; lock.unlock()
            while true {
                lock.lock(); let done = finished; lock.unlock()
                if done { return }
                usleep(200)
            }
        }
    }
}
