import Foundation
import PostgresClient
import SQLCatalogue
import TestSupport

/// How often ending a session "between transactions" cuts one anyway
/// (`make bench BENCH=boundary`). Busy clients run short transactions with
/// short pauses and reconnect when ended; the terminate step's statement
/// ends every one it finds idle, again and again. A transaction is cut when
/// the client's next BEGIN got in between the look and the signal
/// (docs/POSTGRES.md, "Ending a session between transactions").
/// Baseline: the form the statement replaced, one look and then the
/// signal, on the same clients in the same run.
enum BoundaryBenchmark {
    static let repetitions = 3
    static let secondsPerRun = 6.0
    static let clients = 16

    /// The terminate statement before the second look (kept here as the baseline only).
    static let oneLookThenSignal = """
        SELECT CASE WHEN $3::boolean OR a.backend_type <> 'client backend' OR a.state = 'idle'
                    THEN pg_catalog.pg_terminate_backend(a.pid) ELSE false END AS signalled, a.pid
        """ + "\n" + SQLText.exposedAmongScan + "\nORDER BY a.pid"

    struct Run { var ended: Int; var cut: Int; var perThousand: Double }

    static func run() throws -> [BenchmarkResult] {
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        let cluster = try TestCluster.start(lab: lab)
        defer { cluster.destroy() }
        let client = lab.clients[0]
        try cluster.writeHBA("local all all trust\nhost all all \(client.addressV4)/32 scram-sha-256\n")
        try cluster.reload()
        try LoadHarness.prepare(cluster)
        let conninfo = cluster.tcpConninfo(host: client.serverV4, sslmode: "disable") + " application_name=boundary"

        var product: [Run] = [], baseline: [Run] = []
        for _ in 0..<repetitions {
            product.append(try endRepeatedly(cluster, namespace: client.namespace, conninfo: conninfo, statement: SQLText.endExposedAtBoundary))
            baseline.append(try endRepeatedly(cluster, namespace: client.namespace, conninfo: conninfo, statement: oneLookThenSignal))
        }
        func total(_ runs: [Run]) -> String { "\(runs.map(\.cut).reduce(0, +)) cut of \(runs.map(\.ended).reduce(0, +)) ended" }
        print("terminate statement: \(total(product)); one look, then the signal: \(total(baseline))")
        return [
            BenchmarkResult(name: "cut per 1,000 ended at a boundary", samples: product.map(\.perThousand),
                            baselineName: "one look, then the signal", baseline: baseline.map(\.perThousand), unit: "", scale: 1),
        ]
    }

    /// One run of the clients, ending every session the statement finds
    /// idle every 20 ms, without a deadline (so that nothing is ended
    /// inside a transaction on purpose).
    static func endRepeatedly(_ cluster: TestCluster, namespace: String, conninfo: String, statement: String) throws -> Run {
        let load = try LoadHarness.start([
            .init(name: "boundary", namespace: namespace, conninfo: conninfo, clients: clients,
                  insideMilliseconds: 5, thinkMilliseconds: 3),
        ])
        var finished = false
        defer { if !finished { load.stop() } }
        try LoadHarness.waitForSessions(cluster, applicationName: "boundary", count: clients)
        let connection = try cluster.superuserConnection()
        defer { connection.close() }
        var ended = 0
        let until = Date().addingTimeInterval(secondsPerRun)
        while Date() < until {
            let pids = try connection.query("SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = 'boundary'")
                .rows.map { row throws(PostgresError) in try row.int32("pid") }
            let rows = try connection.query(statement, [pids, "", false, OptionalInt64Array([])]).rows
            ended += try rows.filter { row throws(PostgresError) in try row.bool("signalled") }.count
            Thread.sleep(forTimeInterval: 0.02)
        }
        let report = try load.finish()["boundary"]
        finished = true
        guard let report, ended > 0, report.committed > 0 else {
            throw BenchmarkFailure("the clients did not run or nothing was ended (\(ended) ended)")
        }
        return Run(ended: ended, cut: report.cut, perThousand: Double(report.cut) * 1000 / Double(ended))
    }
}
