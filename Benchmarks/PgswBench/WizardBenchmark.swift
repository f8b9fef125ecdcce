import Executor
import Foundation
import HostIO
import TestSupport

/// Issue 7's benchmark: the real wizard in tmux on a cluster with 50 plain
/// sessions. Time to the first frame after launch, against `plan` doing
/// the same connection, inspection and planning without a screen; and the
/// redraw per key (update + render + copy to the terminal), against the
/// same keys with every cell copied (PGSW_FULL_REPAINT=1) instead of the
/// changed ones. The wizard writes its own timings (PGSW_WIZARD_TIMINGS).
enum WizardBenchmark {
    static let launches = 7
    /// The same choices for the wizard and its baseline: a local CA (the wizard's default when none is usable), loopback converted.
    static let options = ["--create-certificates", "ca", "--include-loopback"]
    static let keys = ["Right", "Right", "Down", "Down", "Tab", "Up", "Tab", "Left", "d", "d", "?", "Escape", "Right", "PageDown", "PageUp", "Left"]

    static func run() throws -> [BenchmarkResult] {
        try TestCluster.withSync { cluster in
            try cluster.holdSessions(50, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            defer { cluster.releaseHeldSessions() }
            let wizard = try WizardRun()
            var firstFrames: [Double] = [], plans: [Double] = []
            var diffKeys: [Double] = [], fullKeys: [Double] = []
            var peak: [Double] = [], planPeak: [Double] = []
            for launch in 0..<launches {
                plans.append(try Measure.seconds {
                    let output = try wizard.run(["plan", cluster.socketConninfo] + options)
                    guard output.exitCode == 10 else { throw BenchmarkFailure("plan: \(output.stdout)\(output.stderr)") }
                })
                planPeak.append(try planPeakKilobytes(cluster, wizard: wizard))
                let timings = try session(cluster, wizard: wizard, fullRepaint: launch % 2 == 1)
                firstFrames.append(timings.firstFrame)
                if launch % 2 == 1 { fullKeys += timings.keys } else { diffKeys += timings.keys }
                if let rss = timings.peakKilobytes { peak.append(rss) }
            }
            var results = [
                BenchmarkResult(name: "wizard: launch to first frame", samples: firstFrames,
                                baselineName: "plan (same reads, no screen)", baseline: plans),
                BenchmarkResult(name: "wizard: redraw per key", samples: diffKeys,
                                baselineName: "same keys, every cell copied", baseline: fullKeys),
            ]
            if !peak.isEmpty {
                results.append(BenchmarkResult(name: "wizard: peak RSS, launch + keys", samples: peak,
                                baselineName: "plan: peak RSS", baseline: planPeak, unit: "MiB", scale: 1 / 1024))
            }
            return results + (try FullRunBenchmark.run())
        }
    }

    struct Timings {
        var firstFrame: Double
        var keys: [Double]
        var peakKilobytes: Double?
    }

    /// One launch: wait for the first frame, send the keys one at a time, quit, read the timings file.
    static func session(_ cluster: TestCluster, wizard: WizardRun, fullRepaint: Bool) throws -> Timings {
        let file = wizard.stateHome + "-timings-\(UUID().uuidString.prefix(6))"
        var environment = ["XDG_STATE_HOME": wizard.stateHome, "PGSW_WIZARD_TIMINGS": file,
                           "PGSW_LAUNCHED_AT": String(UInt64(Date().timeIntervalSince1970 * 1e9))]
        if fullRepaint { environment["PGSW_FULL_REPAINT"] = "1" }
        let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo] + options, environment: environment)
        defer { terminal.close() }
        try terminal.waitFor("[SATISFIED] Preflight")
        for key in keys {
            try terminal.send(key)
            Thread.sleep(forTimeInterval: 0.05)
        }
        try terminal.send("q")
        guard try terminal.exitCode() == 0 else { throw BenchmarkFailure("the wizard did not quit cleanly:\n\(try terminal.screen())") }
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        func values(_ name: String) -> [Double] {
            lines.filter { $0.hasPrefix(name + " ") }.compactMap { Double($0.dropFirst(name.count + 1)) }
        }
        guard let first = values("first_frame_ms").first, values("key_ms").count >= keys.count - 2 else {
            throw BenchmarkFailure("the timings file is incomplete: \(lines)")
        }
        return Timings(firstFrame: first / 1000, keys: values("key_ms").map { $0 / 1000 }, peakKilobytes: values("peak_rss_kb").first)
    }

    /// `plan`'s maximum resident set, from GNU time.
    static func planPeakKilobytes(_ cluster: TestCluster, wizard: WizardRun) throws -> Double {
        try PeakMemory.run(["plan", cluster.socketConninfo], environment: ["XDG_STATE_HOME": wizard.stateHome]).kilobytes
    }
}
