import Foundation
import HostIO
import TestSupport

/// Not a benchmark: the commands run once each (`--version`, `--help`, the
/// four `hba` commands, the wizard walked through every step, `status`,
/// `clients`, `plan`, `rollback`, `apply --yes`), on the scenarios
/// the benchmarks use, for `make layout` (scripts/layout/profile). The
/// profile runs this with the wizard under callgrind and keeps the
/// functions each command executed; the release link then places them
/// together (docs/DESIGN.md, "Code layout"). Each run is checked, so a
/// broken workload fails instead of profiling an error path.
enum LayoutWorkload {
    static func run() throws -> [BenchmarkResult] {
        try withoutServer()
        _ = try FullRunBenchmark.fresh { cluster, wizard in
            _ = try FullRunBenchmark.walk(cluster, wizard: wizard)
            for arguments in [["status", cluster.socketConninfo], ["status", "--json", cluster.socketConninfo],
                              ["clients", cluster.socketConninfo], ["plan", cluster.socketConninfo, "--include-loopback"]] {
                try expect(try wizard.run(arguments), exitCodes: [0, 1], arguments)
            }
            try expect(try wizard.run(["rollback", cluster.socketConninfo, "--json"]), exitCodes: [0], ["rollback"])
            return 0
        }
        _ = try FullRunBenchmark.fresh { cluster, wizard in
            try FullRunBenchmark.applyPeak(cluster, wizard: wizard)
        }
        return []
    }

    /// The commands that read a file and never connect (a cluster's own
    /// pg_hba.conf: explain reads it as the server's OS user).
    static func withoutServer() throws {
        try TestCluster.withSync { cluster in
            try cluster.writeHBA(HBAFileOfRules.text(rules: 2_000))
            let file = cluster.hbaFile
            let runs: [([String], [Int32])] = [
                (["--version"], [0]),
                (["--help"], [0]),
                (["hba", "explain", file, "--server-version", String(cluster.version.major)], [0]),
                (["hba", "explain", file, "--json"], [0]),
                (["hba", "lint", file], [0, 1]),
                (["hba", "rewrite", file], [0]),
                (["hba", "match", file, "--user", "svc1999", "--database", "app40", "--address", "10.7.249.1"], [0, 1]),
                (["hba", "match", file, "--local", "--user", "postgres", "--database", "postgres"], [0, 1]),
            ]
            for (arguments, codes) in runs {
                try expect(try ProcessRunner.run(Wizard.path, arguments), exitCodes: codes, arguments)
            }
        }
    }

    static func expect(_ output: ProcessOutput, exitCodes: [Int32], _ arguments: [String]) throws {
        guard exitCodes.contains(output.exitCode) else {
            throw BenchmarkFailure("\(arguments.prefix(2).joined(separator: " ")) exited \(output.exitCode): \(output.stderr.suffix(400))")
        }
    }
}
