import Executor
import Foundation
import HostIO
import PostgresClient
import TestSupport

/// Issue 6's benchmark: `apply --yes` end to end (plan, both phases with
/// their checks and proofs, the dead-man connection, termination, the
/// negative test, the report) against a plain psql script doing the same
/// changes with none of the safeguards, on the same scenario, in this run:
/// SSL off with certificate files in place, `host` rules, plain sessions.
/// The script returns once it has signalled; apply, whose confirmation reads
/// the sessions after they are gone, is also set against the script timed to
/// that same end state. Also the exposure window (hostssl live -> last plain
/// backend gone) of each, and its floor: how long the same sessions take to
/// end when one statement signals them and nothing else happens, and when
/// the kernel alone does (kill(2) from root: no statement, no round trip).
enum ApplyBenchmark {
    static let sessions = 50
    static let repetitions = 9

    static let hba = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 10.0.0.0/8 scram-sha-256\n"

    static func run() throws -> [BenchmarkResult] {
        try TestCluster.withSync { cluster in
            let certificate = try TestCertificate.make(in: cluster.local.root + "/tls", owner: cluster.local.owner)
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(certificate.certificatePath)'")
            try cluster.sql("ALTER SYSTEM SET ssl_key_file = '\(certificate.keyPath)'")
            var wizardTimes: [Double] = [], scriptTimes: [Double] = []
            var wizardWindows: [Double] = [], scriptWindows: [Double] = [], exits: [Double] = [], kernelExits: [Double] = []
            // The script's end state as apply's: until its plain sessions are gone (apply's confirmation waits for that).
            var scriptUntilGone: [Double] = []
            var lastStateHome = ""
            for _ in 0..<repetitions {
                try reset(cluster)
                let wizard = try WizardRun()
                lastStateHome = wizard.stateHome
                var output: ProcessOutput?
                wizardTimes.append(try Measure.seconds {
                    output = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback"])
                })
                guard let output, output.exitCode == 0,
                      let summary = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
                      let window = summary["exposure_window_seconds"] as? Double else {
                    throw BenchmarkFailure("apply did not enforce: \(output?.stdout ?? "")\(output?.stderr ?? "")")
                }
                wizardWindows.append(window)

                try reset(cluster)
                // Connected before the script (over the socket, which the script leaves alone), so
                // that the wait below is the sessions' and not this connection's start.
                let observer = try cluster.superuserConnection()
                defer { observer.close() }
                var printed = ""
                scriptTimes.append(try Measure.seconds { printed = try psqlScript(cluster) })
                let scriptEnded = Date()
                let stamps = printed.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard stamps.count == 2 else { throw BenchmarkFailure("the psql script printed \(printed)") }
                // pg_terminate_backend without a wait only signals: the window closes when the backends are gone.
                let deadline = Date().addingTimeInterval(30)
                while try observer.query("SELECT count(*)::int AS n FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE NOT ssl AND client_port > 0")
                    .rows.first?.int32("n") != 0 {
                    guard Date() < deadline else { throw BenchmarkFailure("the psql script left plain sessions") }
                    Thread.sleep(forTimeInterval: 0.002)
                }
                scriptWindows.append(max(stamps[1], Date().timeIntervalSince1970) - stamps[0])
                scriptUntilGone.append(scriptTimes[scriptTimes.count - 1] + Date().timeIntervalSince(scriptEnded))

                try reset(cluster)
                exits.append(try serverExits(cluster))

                try reset(cluster)
                kernelExits.append(try serverExits(cluster, signalledByTheKernel: true))
            }
            try reset(cluster)
            cluster.releaseHeldSessions()
            printBreakdown(stateHome: lastStateHome)
            return [
                BenchmarkResult(name: "apply --yes, \(sessions) plain sessions", samples: wizardTimes,
                                baselineName: "plain psql script, same changes", baseline: scriptTimes),
                BenchmarkResult(name: "apply --yes, \(sessions) plain sessions", samples: wizardTimes,
                                baselineName: "the script, until its sessions are gone", baseline: scriptUntilGone),
                BenchmarkResult(name: "exposure window, apply --yes", samples: wizardWindows,
                                baselineName: "exposure window, psql script", baseline: scriptWindows),
                BenchmarkResult(name: "exposure window, apply --yes", samples: wizardWindows,
                                baselineName: "the sessions' own exit (one signal)", baseline: exits),
                BenchmarkResult(name: "sessions' exit, one statement", samples: exits,
                                baselineName: "the same, kill(2) from root, no SQL", baseline: kernelExits),
            ]
        }
    }

    /// Where the last run's time went: each journal entry's distance from
    /// the one before (an effect's line is written before it runs, its event's after).
    static func printBreakdown(stateHome: String) {
        guard let enumerator = FileManager.default.enumerator(atPath: stateHome) else { return }
        while let entry = enumerator.nextObject() as? String {
            guard entry.hasSuffix(".jsonl"), let entries = try? Journal.read(stateHome + "/" + entry), let first = entries.first else { continue }
            print("   last apply --yes, journal entry by entry (ms since the previous entry):")
            var previous = first.at
            for item in entries {
                print(String(format: "   %7.1f  %@ %@", item.at.timeIntervalSince(previous) * 1000, item.kind.rawValue, item.name))
                previous = item.at
            }
            print(String(format: "   %7.1f  total in the journal", entries.last!.at.timeIntervalSince(first.at) * 1000))
        }
    }

    /// The floor under every exposure window: the same plain sessions
    /// signalled by one statement on a warm connection, until the server
    /// shows none of them (no reload, no check). Each backend's exit costs
    /// the server about a millisecond of CPU. `signalledByTheKernel`: the
    /// same SIGTERMs sent by this (root) process with kill(2), no statement
    /// and no server round trip, which says whether the floor is the way the
    /// sessions are signalled or the backends' own exit.
    static func serverExits(_ cluster: TestCluster, signalledByTheKernel: Bool = false) throws -> Double {
        let observer = try cluster.superuserConnection()
        defer { observer.close() }
        let plain = "SELECT a.pid FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_stat_ssl s USING (pid) WHERE NOT s.ssl AND a.client_port > 0"
        let pids = try observer.query(plain).rows.map { row throws(PostgresError) in try row.int32("pid") }
        guard pids.count == sessions else { throw BenchmarkFailure("expected \(sessions) plain sessions, found \(pids.count)") }
        let deadline = Date().addingTimeInterval(30)
        return try Measure.seconds {
            if signalledByTheKernel {
                for pid in pids where kill(pid, SIGTERM) != 0 {
                    throw BenchmarkFailure("kill(\(pid), SIGTERM): \(String(cString: strerror(errno)))")
                }
            } else {
                _ = try observer.query("SELECT count(pg_catalog.pg_terminate_backend(p)) AS n FROM pg_catalog.unnest($1::int[]) p", [pids])
            }
            while try observer.query("SELECT count(*)::int AS n FROM pg_catalog.pg_stat_get_activity(NULL) WHERE pid = ANY($1::int[])", [pids])
                .rows.first?.int32("n") != 0 {
                guard Date() < deadline else { throw BenchmarkFailure("the signalled sessions did not end") }
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
    }

    /// Back to the starting point: the original rules, ssl off, fresh plain sessions.
    static func reset(_ cluster: TestCluster) throws {
        cluster.releaseHeldSessions()
        try cluster.writeHBA(hba)
        try cluster.sql("ALTER SYSTEM RESET ssl")
        try cluster.reload()
        try cluster.waitFor("ssl off") { try cluster.sql("SHOW ssl").rows.first?.string("ssl") == "off" }
        try cluster.holdSessions(sessions, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
    }

    /// What a DBA might type instead: no checks, no proof, no rollback, and
    /// pg_terminate_backend without its wait (the fastest way, unconfirmed).
    static func psqlScript(_ cluster: TestCluster) throws -> String {
        let script = """
            ALTER SYSTEM SET ssl = on;
            SELECT pg_reload_conf();
            \\! cp \(cluster.hbaFile) \(cluster.hbaFile).bak && sed -i 's/^host /hostssl /' \(cluster.hbaFile)
            SELECT extract(epoch FROM clock_timestamp());
            SELECT pg_reload_conf();
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
             WHERE NOT ssl AND client_port > 0 AND pid <> pg_backend_pid();
            SELECT extract(epoch FROM clock_timestamp());
            """
        let output = try ProcessRunner.checked(cluster.local.binaries.path("psql"),
                                               [cluster.socketConninfo, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"], input: script)
        // Lines: reload's t, the first stamp, reload's t, the count, the second stamp.
        let lines = output.stdout.split(separator: "\n").map(String.init)
        return [lines.count > 1 ? lines[1] : "", lines.last ?? ""].joined(separator: "\n")
    }

}
