import Executor
import Foundation
import HostIO
import PostgresClient
import TestSupport

/// Issue 26's figures (`make bench BENCH=load`): what an application feels
/// while `apply --grace 10` enforces SSL under it. A cluster in a network
/// lab with a streaming standby (sslmode=prefer), persistent `prefer`
/// clients inside transactions most of the time, clients that connect for
/// every transaction, and one `sslmode=disable` client (see LoadHarness).
/// Baseline: `apply` on the same cluster and standby with no load.
enum LoadBenchmark {
    static let repetitions = 3
    static let before = 3.0, after = 4.0

    static let hbaTemplate = """
        local all all trust
        host all all OFFICE/32 scram-sha-256
        host all all BATCH/32 scram-sha-256
        host replication postgres REPLICA/32 scram-sha-256

        """

    struct Repetition {
        var applySeconds: Double
        var cut: Int
        var failedPreferConnections: Int
        var latencies: (before: [Double], during: [Double], after: [Double])
        var standbyBackSeconds: Double?
        var replayLagSeconds: Double
    }

    static func run() throws -> [BenchmarkResult] {
        let lab = try NetworkLab.create(clients: 3)
        defer { lab.destroy() }
        let cluster = try TestCluster.start(lab: lab)
        defer { cluster.destroy() }
        let (office, batch, replicaHost) = (lab.clients[0], lab.clients[1], lab.clients[2])
        let certificate = try TestCertificate.make(in: cluster.local.root + "/tls", owner: cluster.local.owner)
        try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(certificate.certificatePath)'")
        try cluster.sql("ALTER SYSTEM SET ssl_key_file = '\(certificate.keyPath)'")
        let hba = hbaTemplate.replacingOccurrences(of: "OFFICE", with: office.addressV4).replacingOccurrences(of: "BATCH", with: batch.addressV4)
            .replacingOccurrences(of: "REPLICA", with: replicaHost.addressV4)
        try cluster.writeHBA(hba)
        try cluster.reload()
        try LoadHarness.prepare(cluster)
        let standby = try TestStandby.start(of: cluster, in: replicaHost, sslmode: "prefer")
        defer { standby.destroy() }

        var idle: [Double] = [], idleStandby: [Double] = []
        var loaded: [Repetition] = []
        for _ in 0..<repetitions {
            try reset(cluster, hba: hba)
            let wizard = try WizardRun(namespace: lab.serverNamespace)
            let watcher = try StandbyWatcher(cluster)
            var output: ProcessOutput?
            idle.append(try Measure.seconds { output = try apply(wizard, cluster) })
            let watched = watcher.stop()
            if let ended = try output.flatMap({ try walsenderTerminatedAt($0) }), let back = watched.firstSSLStreaming {
                idleStandby.append(back.timeIntervalSince(ended))
            }

            try reset(cluster, hba: hba)
            loaded.append(try underLoad(cluster, lab: lab, hba: hba))
        }
        let cut = loaded.map(\.cut).reduce(0, +), failed = loaded.map(\.failedPreferConnections).reduce(0, +)
        func p(_ samples: [[Double]], _ fraction: Double) -> [Double] { samples.compactMap { Percentile.of($0, fraction) } }
        let steady = loaded.map(\.latencies.before), during = loaded.map(\.latencies.during), later = loaded.map(\.latencies.after)
        print("transactions cut inside a transaction (\(repetitions) runs, --grace 10): \(cut)")
        print("failed new connections of prefer clients (\(repetitions) runs): \(failed)")
        print(String(format: "standby replay lag, worst seen during the runs: %.3f s", loaded.map(\.replayLagSeconds).max() ?? 0))
        return [
            BenchmarkResult(name: "apply --grace 10 under load", samples: loaded.map(\.applySeconds),
                            baselineName: "the same apply, no load", baseline: idle),
            BenchmarkResult(name: "p50 latency during the window", samples: p(during, 0.5),
                            baselineName: "p50 latency, steady state before", baseline: p(steady, 0.5)),
            BenchmarkResult(name: "p99 latency during the window", samples: p(during, 0.99),
                            baselineName: "p99 latency, steady state before", baseline: p(steady, 0.99)),
            BenchmarkResult(name: "p99 latency after the window", samples: p(later, 0.99),
                            baselineName: "p99 latency, steady state before", baseline: p(steady, 0.99)),
            BenchmarkResult(name: "standby back over SSL, under load", samples: loaded.compactMap(\.standbyBackSeconds),
                            baselineName: "standby back over SSL, no load", baseline: idleStandby),
        ]
    }

    static func apply(_ wizard: WizardRun, _ cluster: TestCluster) throws -> ProcessOutput {
        let output = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--grace", "10"])
        guard output.exitCode == 0 else { throw BenchmarkFailure("apply did not enforce: \(output.stdout)\(output.stderr)") }
        return output
    }

    /// SSL off, the original rules, and the standby streaming in plain text again.
    static func reset(_ cluster: TestCluster, hba: String) throws {
        try cluster.writeHBA(hba)
        try cluster.sql("ALTER SYSTEM RESET ssl")
        try cluster.reload()
        try cluster.waitFor("ssl off") { try cluster.sql("SHOW ssl").rows.first?.string("ssl") == "off" }
        try cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_replication")
        try cluster.waitFor("the standby to stream in plain text", seconds: 30) {
            try cluster.sql("""
                SELECT count(*)::int AS n FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
                WHERE NOT s.ssl AND r.state = 'streaming'
                """).rows.first?.int32("n") == 1
        }
        // A standby retries streaming at most once per wal_retrieve_retry_interval (5 s),
        // counted from its last retry: the measured run must not start in that shadow.
        Thread.sleep(forTimeInterval: 5.5)
    }

    static func underLoad(_ cluster: TestCluster, lab: NetworkLab, hba: String) throws -> Repetition {
        let (office, batch) = (lab.clients[0], lab.clients[1])
        let load = try LoadHarness.start([
            .init(name: "persistent", namespace: office.namespace,
                  conninfo: cluster.tcpConninfo(host: office.serverV4, sslmode: "prefer") + " application_name=persistent", clients: 8),
            .init(name: "per-transaction", namespace: batch.namespace,
                  conninfo: cluster.tcpConninfo(host: batch.serverV4, sslmode: "prefer") + " application_name=per-transaction",
                  clients: 4, connectEach: true),
            .init(name: "disable", namespace: batch.namespace,
                  conninfo: cluster.tcpConninfo(host: batch.serverV4, sslmode: "disable") + " application_name=disable", clients: 1),
        ])
        var finished = false
        defer { if !finished { load.stop() } }
        try LoadHarness.waitForSessions(cluster, applicationName: "persistent", count: 8)
        let watcher = try StandbyWatcher(cluster)
        Thread.sleep(forTimeInterval: before)
        let wizard = try WizardRun(namespace: lab.serverNamespace)
        let start = Date().timeIntervalSince1970
        var output: ProcessOutput?
        let seconds = try Measure.seconds { output = try apply(wizard, cluster) }
        let end = Date().timeIntervalSince1970
        Thread.sleep(forTimeInterval: after)
        let reports = try load.finish()
        finished = true
        let watched = watcher.stop()
        let all = reports.values.flatMap(\.transactions)
        func latencies(_ from: Double, _ to: Double) -> [Double] { all.filter { $0[0] >= from && $0[0] < to }.map { $0[1] } }
        let walsenderEnded = try output.flatMap { try walsenderTerminatedAt($0) }
        return Repetition(applySeconds: seconds,
                          cut: reports.values.map(\.cut).reduce(0, +),
                          failedPreferConnections: (reports["persistent"]?.connect_failures ?? 0) + (reports["per-transaction"]?.connect_failures ?? 0),
                          latencies: (latencies(start - before, start), latencies(start, end), latencies(end, end + after)),
                          standbyBackSeconds: walsenderEnded.flatMap { ended in watched.firstSSLStreaming.map { $0.timeIntervalSince(ended) } },
                          replayLagSeconds: watched.worstReplayLag)
    }

    /// When the report says the walsender was terminated.
    static func walsenderTerminatedAt(_ output: ProcessOutput) throws -> Date? {
        struct Summary: Decodable { var report: String? }
        struct Report: Decodable {
            struct Ended: Decodable { var walsender: Bool; var at: String }
            var terminated: [Ended]
        }
        guard let path = try JSONDecoder().decode(Summary.self, from: Data(output.stdout.utf8)).report?.replacingOccurrences(of: ".md", with: ".json"),
              let data = FileManager.default.contents(atPath: path) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let report = try JSONDecoder().decode(Report.self, from: data)
        return report.terminated.first(where: \.walsender).flatMap { formatter.date(from: $0.at) }
    }
}

/// Looks at pg_stat_replication every 5 ms on its own connection: when a
/// walsender first streams over SSL, and the worst replay lag seen.
final class StandbyWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var firstSSL: Date?
    private var worstLag = 0.0
    private let done = DispatchSemaphore(value: 0)

    init(_ cluster: TestCluster) throws {
        let connection = try cluster.superuserConnection()
        Thread { [self] in
            defer { connection.close(); done.signal() }
            while !lock.withLock({ stopped }) {
                let rows = (try? connection.query("""
                    SELECT s.ssl, coalesce(EXTRACT(epoch FROM r.replay_lag), 0)::float8 AS lag
                    FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE r.state = 'streaming'
                    """).rows) ?? []
                let now = Date()
                lock.withLock {
                    for row in rows {
                        if (try? row.bool("ssl")) == true && firstSSL == nil { firstSSL = now }
                        worstLag = max(worstLag, (try? row.optionalDouble("lag")).flatMap { $0 } ?? 0)
                    }
                }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }.start()
    }

    func stop() -> (firstSSLStreaming: Date?, worstReplayLag: Double) {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { (firstSSL, worstLag) }
    }
}
