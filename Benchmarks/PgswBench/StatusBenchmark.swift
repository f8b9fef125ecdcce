import Foundation
import HostIO
import TestSupport

/// `status` as a whole process (start, connect, inspect, the TLS probe, the
/// verdict, the JSON) against psql listing the same sessions the way a DBA
/// types it (pg_stat_activity joined with pg_stat_ssl and pg_stat_gssapi,
/// `SessionReadings.fromTheViews`; status reads the same rows from their
/// function) as a whole process, on the same cluster with SSL on and 20
/// sessions, in this run: the operator on the unix socket, and over TCP with TLS;
/// and the CPU each needs over the socket, its own and the server's.
enum StatusBenchmark {
    static let sessions = 20
    /// Rounds of one status and one psql each, in turns (`Measure.alternating`): an even number, so each goes first as often.
    static let repetitions = 16

    static func run() throws -> [BenchmarkResult] {
        try TestCluster.withSync { cluster in
            let certificate = try TestCertificate.make(in: cluster.local.root + "/tls", owner: cluster.local.owner)
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(certificate.certificatePath)'")
            try cluster.sql("ALTER SYSTEM SET ssl_key_file = '\(certificate.keyPath)'")
            try cluster.sql("ALTER SYSTEM SET ssl = on")
            try cluster.reload()
            try cluster.holdSessions(sessions, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            defer { cluster.releaseHeldSessions() }
            let wizard = try WizardRun()
            // The operator on the socket (the wizard proves TLS with a handshake of its own), then
            // over TCP with TLS (the operator's session is the proof, as psql's is its TLS).
            let socket = try compare(wizard, cluster, conninfo: cluster.socketConninfo)
            // The password in both commands' environment, not on their command lines (which every
            // local user can read, and the cluster listens on the host's loopback).
            let tcp = try compare(wizard, cluster, conninfo: "host=127.0.0.1 port=\(cluster.port) user=\(cluster.local.superuser) dbname=postgres sslmode=require",
                                  environment: ["PGPASSWORD": cluster.local.superuserPassword])
            // The work behind the socket figure, both sides: blocks of runs, not turns (a block's ticks round once).
            let postmaster = try CPUTime.postmasterPID(dataDirectory: cluster.dataDirectory)
            let statusCPU = try (0..<3).map { _ in try CPUTime.perRun(runs: cpuRuns, postmasterPID: postmaster) { try status(wizard, cluster.socketConninfo) } }
            let psqlCPU = try (0..<3).map { _ in try CPUTime.perRun(runs: cpuRuns, postmasterPID: postmaster) { try psql(cluster, cluster.socketConninfo) } }
            func split(_ blocks: [(client: Double, server: Double)]) -> String {
                String(format: "%.1f ms its own, %.1f the server's", Measure.median(blocks.map(\.client)) * 1000, Measure.median(blocks.map(\.server)) * 1000)
            }
            print("cpu per run over the socket: status \(split(statusCPU)); psql \(split(psqlCPU))")
            return [BenchmarkResult(name: "status --json, whole process", samples: socket.status,
                                    baselineName: "psql, the sessions from the views", baseline: socket.psql),
                    BenchmarkResult(name: "status: CPU, client + server", samples: statusCPU.map { $0.client + $0.server },
                                    baselineName: "psql: CPU, client + server", baseline: psqlCPU.map { $0.client + $0.server }),
                    BenchmarkResult(name: "status --json over TCP with TLS", samples: tcp.status,
                                    baselineName: "psql over TCP with TLS, same views", baseline: tcp.psql)]
        }
    }

    /// Runs in each block of the CPU figure (three blocks a side).
    static let cpuRuns = 20

    static func compare(_ wizard: WizardRun, _ cluster: TestCluster, conninfo: String,
                        environment: [String: String] = [:]) throws -> (status: [Double], psql: [Double]) {
        try Measure.alternating(repetitions: repetitions, { try status(wizard, conninfo, environment: environment) },
                                { try psql(cluster, conninfo, environment: environment) })
    }

    static func status(_ wizard: WizardRun, _ conninfo: String, environment: [String: String] = [:]) throws {
        // 1: not enforced (plain sessions over TCP), as it should say here.
        let output = try wizard.run(["status", "--json", conninfo], environment: environment)
        guard output.exitCode == 1, output.stdout.contains("\"verdict\""), output.stdout.contains("\"probe\" : \"offered\"") else {
            throw BenchmarkFailure("status did not report: \(output.exitCode) \(output.stdout) \(output.stderr)")
        }
    }

    static func psql(_ cluster: TestCluster, _ conninfo: String, environment: [String: String] = [:]) throws {
        // The views joined, as a DBA types it (status asks their function once: InspectionQueries.sessions).
        let output = try ProcessRunner.run(cluster.local.binaries.path("psql"), [conninfo, "-X", "-q", "-A", "-t", "-c", SessionReadings.fromTheViews],
                                           environment: environment)
        guard output.exitCode == 0, output.stdout.split(separator: "\n").count >= sessions else {
            throw BenchmarkFailure("psql did not list the sessions: \(output.stderr)")
        }
    }
}
