import Executor
import Foundation
import Sandbox

/// Tracks this process's clusters and removes those a crashed earlier run
/// left behind (their directory names carry the owning test process's pid).
final class Registry: @unchecked Sendable {
    static let shared = Registry()

    private let lock = NSLock()
    private var live: [ObjectIdentifier: TestCluster] = [:]
    private var counter = 0
    private var reaped = false

    private init() {
        atexit {
            Registry.shared.destroyAll()
        }
    }

    /// A new directory under /tmp, root's and 0700, made by `mkdtemp`: a name
    /// another local user could guess (the pid and a counter) and make first
    /// was taken as it stood, theirs, and root then wrote in it (and chowned
    /// through it). The pid stays in the name for the reaper.
    func newRoot(prefix: String = "pgsw-test") throws -> String {
        lock.lock()
        counter += 1
        let number = counter
        lock.unlock()
        var template = Array("/tmp/\(prefix)-\(getpid())-\(number)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestEnvironment.Missing(description: "mkdtemp under /tmp: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    func register(_ cluster: TestCluster) {
        lock.lock(); live[ObjectIdentifier(cluster)] = cluster; lock.unlock()
    }

    func unregister(_ cluster: TestCluster) {
        lock.lock(); live[ObjectIdentifier(cluster)] = nil; lock.unlock()
    }

    func destroyAll() {
        lock.lock()
        let clusters = Array(live.values)
        lock.unlock()
        clusters.forEach { $0.destroy() }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        where entry.hasPrefix("pgsw-template-\(getpid())-") {
            try? FileManager.default.removeItem(atPath: "/tmp/" + entry)
        }
    }

    /// Stops and removes clusters of test processes that no longer exist.
    func reapStaleClusters() {
        lock.lock()
        guard !reaped else { lock.unlock(); return }
        reaped = true
        lock.unlock()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] {
            guard entry.hasPrefix("pgsw-test-") || entry.hasPrefix("pgsw-template-") else { continue }
            let parts = entry.split(separator: "-")
            guard parts.count >= 4, let pid = Int32(parts[2]), pid != getpid(), kill(pid, 0) != 0 else { continue }
            let data = "/tmp/\(entry)/data"
            if let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
               let postmaster = text.split(separator: "\n").first.flatMap({ Int32($0) }) {
                kill(postmaster, SIGQUIT)
                Thread.sleep(forTimeInterval: 0.2)
                kill(postmaster, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: "/tmp/\(entry)")
        }
    }
}

/// Every live process whose command line names one of `roots` (servers,
/// client loops, wrappers): what a destroyed sandbox must not leave behind.
public enum LeftoverProcesses {
    public static func mentioning(_ roots: [String]) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != getpid(), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return roots.contains { line.contains($0) }
        }
    }
}
