import Executor
import Foundation
import HostIO

/// A busy application around a real cluster, for the tests and benchmarks
/// of enforcement under load: groups of `pgsw-probe load` clients in the
/// lab's namespaces, each running transactions for a fixed time and
/// reporting what it lived through (see Tests/TestProbe/LoadClient.swift).
public final class LoadHarness: @unchecked Sendable {
    /// One group of identical clients.
    public struct Group: Sendable {
        public var name: String
        public var namespace: String
        public var conninfo: String
        public var clients: Int
        public var connectEach: Bool
        public var insideMilliseconds: Int
        public var thinkMilliseconds: Int

        public init(name: String, namespace: String, conninfo: String, clients: Int, connectEach: Bool = false,
                    insideMilliseconds: Int = 150, thinkMilliseconds: Int = 20) {
            self.name = name
            self.namespace = namespace
            self.conninfo = conninfo
            self.clients = clients
            self.connectEach = connectEach
            self.insideMilliseconds = insideMilliseconds
            self.thinkMilliseconds = thinkMilliseconds
        }
    }

    /// What one group reported (the probe's JSON).
    public struct Report: Decodable, Sendable {
        public var committed: Int
        public var cut: Int
        public var lost_between_transactions: Int
        public var connect_failures: Int
        public var connect_failure_messages: [String]
        public var cut_messages: [String]
        /// [start (epoch seconds), latency (seconds), 1 when over SSL]
        public var transactions: [[Double]]

        /// Latencies of the transactions that started in [from, to).
        public func latencies(from: Double, to: Double) -> [Double] {
            transactions.filter { $0[0] >= from && $0[0] < to }.map { $0[1] }
        }
    }

    private let groups: [(Group, ChildProcess, String)]

    /// The table the clients update (one row per client), created afresh.
    public static func prepare(_ cluster: TestCluster, rows: Int = 100) throws {
        try cluster.sql("DROP TABLE IF EXISTS public.pgsw_load")
        try cluster.sql("CREATE TABLE public.pgsw_load (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0)")
        try cluster.sql("INSERT INTO public.pgsw_load (id) SELECT pg_catalog.generate_series(1, \(rows))")
    }

    /// Starts every group, to run until `finish` (at most `seconds`); rows
    /// are handed out so that no two clients share one.
    public static func start(_ groups: [Group], seconds: Double = 300) throws -> LoadHarness {
        var started: [(Group, ChildProcess, String)] = []
        var firstRow = 1
        do {
            for group in groups {
                let log = "/tmp/pgsw-load-\(getpid())-\(UUID().uuidString.prefix(8)).json"
                var arguments = ["load", String(seconds), group.conninfo, "--clients", String(group.clients),
                                 "--inside-ms", String(group.insideMilliseconds), "--think-ms", String(group.thinkMilliseconds),
                                 "--first-row", String(firstRow)]
                if group.connectEach { arguments.append("--connect-each") }
                firstRow += group.clients
                started.append((group, try ProcessRunner.spawn(Probe.path, arguments, inNamespace: group.namespace, logFile: log), log))
            }
        } catch {
            for (_, child, log) in started { child.terminate(); unlink(log) }
            throw error
        }
        return LoadHarness(groups: started)
    }

    init(groups: [(Group, ChildProcess, String)]) { self.groups = groups }

    /// Ends every group after the transactions under way and returns its report by group name.
    public func finish(timeoutSeconds: Double = 60) throws -> [String: Report] {
        var reports: [String: Report] = [:]
        for (_, child, _) in groups { kill(child.pid, SIGTERM) }
        for (group, child, log) in groups {
            defer { unlink(log) }
            if child.wait(timeoutSeconds: timeoutSeconds) == nil { kill(child.pid, SIGKILL); _ = child.wait(timeoutSeconds: 5) }
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
                  let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8)) else {
                throw TestEnvironment.Missing(description: "the load group \(group.name) reported nothing usable: \(text.suffix(2000))")
            }
            reports[group.name] = report
        }
        return reports
    }

    /// Stops every group now (cleanup after a failure).
    public func stop() {
        for (_, child, log) in groups { kill(child.pid, SIGKILL); _ = child.wait(timeoutSeconds: 5); unlink(log) }
    }

    /// Waits until `sessions` client sessions named `applicationName` are connected.
    public static func waitForSessions(_ cluster: TestCluster, applicationName: String, count: Int) throws {
        try cluster.waitFor("\(count) \(applicationName) session(s)", seconds: 60) {
            try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [applicationName])
                .rows.first?.int32("n") ?? 0 >= Int32(count)
        }
    }
}

/// Percentiles of latency samples.
public enum Percentile {
    public static func of(_ samples: [Double], _ fraction: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}
