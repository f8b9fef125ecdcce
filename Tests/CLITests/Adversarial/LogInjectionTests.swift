import Foundation
import PostgresClient
import Testing
import TestSupport

/// Anyone who can reach the port can write into the server log: a login
/// attempt as a user named like the "not reloaded" messages, with or without
/// a line break and a forged prefix of its own, puts that text there. While
/// such attempts hammer the server through a whole `apply`, enforcement
/// completes: no reload proof is decided by log text (docs/SECURITY.md,
/// "Log injection").
struct LogInjectionTests {
    static let markers = [
        "was not reloaded",
        "contains errors; no changes were applied",
        "could not load pg_hba.conf",
        // A line of its own with a forged prefix (user names are cut at 63 bytes).
        "x\n[1] LOG:  contains errors; no changes were applied",
        "y\n[1] LOG:  pg_hba.conf was not reloaded",
    ]

    @Test func forgedLogLinesDuringTheRunChangeNothing() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            let injector = Injector(port: cluster.port, markers: Self.markers)
            injector.start()
            let wizard = try WizardRun()
            let apply = try wizard.run(FaultInjectionTests.apply(cluster))
            let attempts = injector.stop()
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try ApplySummary.decode(apply).outcome.hasPrefix("enforced"))
            let log = cluster.serverLog
            let missing = Self.markers.filter { !log.contains($0.split(separator: "\n").last.map(String.init) ?? $0) }
            #expect(attempts > 10 && missing.isEmpty, "the forged lines really reached the log during the run (\(attempts) attempts), missing: \(missing)")
            print("log injection: \(attempts) forged login attempts during apply; enforcement completed")
        }
    }
}

/// Logs in over TCP, without TLS, with a wrong password, as each marker in turn, until stopped.
private final class Injector: @unchecked Sendable {
    let port: Int
    let markers: [String]
    private let lock = NSLock()
    private var stopped = false
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    init(port: Int, markers: [String]) {
        self.port = port
        self.markers = markers
    }

    func start() {
        Thread { [self] in
            var index = 0
            while !isStopped {
                let user = markers[index % markers.count]
                index += 1
                let target = try? ConnectionTarget("host=127.0.0.1 port=\(port) dbname=postgres sslmode=disable connect_timeout=2")
                    .with("user", user).with("password", "not-the-password")
                if let target { _ = try? Connection.connect(target) }
                lock.lock(); count += 1; lock.unlock()
                Thread.sleep(forTimeInterval: 0.005)
            }
            done.signal()
        }.start()
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    func stop() -> Int {
        lock.lock(); stopped = true; lock.unlock()
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return count
    }
}
