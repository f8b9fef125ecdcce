import Foundation
import HostIO
import SQLCatalogue
import TestSupport

/// `status` as a whole process (start, connect, inspect, the TLS probe, the
/// verdict, the JSON) against psql running the same session query
/// (pg_stat_activity joined with pg_stat_ssl and pg_stat_gssapi) as a whole
/// process, on the same cluster with SSL on and 20 sessions, in this run.
enum StatusBenchmark {
    static let sessions = 20
    static let repetitions = 7

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
            let status = try Measure.samples(repetitions: repetitions) {
                // 1: not enforced (plain sessions over TCP), as it should say here.
                let output = try wizard.run(["status", "--json", cluster.socketConninfo])
                guard output.exitCode == 1, output.stdout.contains("\"verdict\"") else {
                    throw BenchmarkFailure("status did not report: \(output.exitCode) \(output.stderr)")
                }
            }
            let psql = try Measure.samples(repetitions: repetitions) {
                let output = try ProcessRunner.run(cluster.local.binaries.path("psql"),
                                                   [cluster.socketConninfo, "-X", "-q", "-A", "-t", "-c", InspectionQueries.sessions])
                guard output.exitCode == 0, output.stdout.split(separator: "\n").count >= sessions else {
                    throw BenchmarkFailure("psql did not list the sessions: \(output.stderr)")
                }
            }
            return [BenchmarkResult(name: "status --json, whole process", samples: status,
                                    baselineName: "psql, the same session query", baseline: psql)]
        }
    }
}
