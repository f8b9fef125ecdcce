import Executor
import Foundation
import HostIO

/// Runs `pgsw-probe` (optionally inside a namespace): real connection
/// attempts made by a separate process, one JSON line back per attempt.
public enum Probe {
    public struct Outcome: Decodable, Sendable, Hashable {
        public var ok: Bool
        public var ssl: Bool
        public var error: String?
    }

    public static var path: String { TestEnvironment.productsDirectory + "/pgsw-probe" }

    public static func attempts(_ conninfos: [String], in namespace: String? = nil, environment: [String: String] = [:]) throws -> [Outcome] {
        // The connection strings hold passwords: a 0600 file in a 0700 directory of this process's,
        // not one under /tmp that the umask leaves readable to every local user.
        let file = try PrivateCopy(Array(try JSONEncoder().encode(conninfos)), name: "attempts.json")
        let output = try withExtendedLifetime(file) {
            try ProcessRunner.checked(path, ["attempts", file.path], inNamespace: namespace, environment: environment, timeoutSeconds: 600)
        }
        let outcomes = try output.stdout.split(separator: "\n").map { try JSONDecoder().decode(Outcome.self, from: Data($0.utf8)) }
        guard outcomes.count == conninfos.count else {
            throw TestEnvironment.Missing(description: "probe answered \(outcomes.count) of \(conninfos.count) attempts: \(output.stderr)")
        }
        return outcomes
    }

    /// Starts a process holding `count` sessions open; kill it to close them.
    public static func hold(_ count: Int, conninfo: String, in namespace: String? = nil, environment: [String: String] = [:]) throws -> ChildProcess {
        let log = "/tmp/pgsw-hold-\(getpid())-\(UUID().uuidString.prefix(8)).log"
        let child = try ProcessRunner.spawn(path, ["hold", String(count), conninfo], inNamespace: namespace, environment: environment, logFile: log)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("holding") { unlink(log); return child }
            if !child.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        child.terminate()
        unlink(log)
        throw TestEnvironment.Missing(description: "pgsw-probe hold did not open its sessions: \(text)")
    }
}
