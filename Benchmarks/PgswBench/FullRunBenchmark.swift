import Executor
import Enforcement
import Foundation
import HostIO
import TestSupport

/// Peak memory of a full interactive run: the wizard walked through every
/// step by keys in tmux (certificates, ssl on, the rewrite, the reload and
/// its keep prompt, terminating 50 plain sessions, the proof), against
/// `apply --yes` doing the same run without a screen, both under GNU time.
enum FullRunBenchmark {
    static let runs = 3
    static let options = ["--create-certificates", "ca", "--include-loopback"]

    static func run() throws -> [BenchmarkResult] {
        var wizardPeaks: [Double] = [], applyPeaks: [Double] = []
        for _ in 0..<runs {
            wizardPeaks.append(try fresh { cluster, wizard in try walk(cluster, wizard: wizard) })
            applyPeaks.append(try fresh { cluster, wizard in try applyPeak(cluster, wizard: wizard) })
        }
        return [BenchmarkResult(name: "wizard: peak RSS, full run", samples: wizardPeaks,
                                baselineName: "apply --yes: peak RSS, same run", baseline: applyPeaks, unit: "MiB", scale: 1 / 1024)]
    }

    /// A cluster with SSL off and 50 plain sessions, for one run.
    static func fresh(_ body: (TestCluster, WizardRun) throws -> Double) throws -> Double {
        try TestCluster.withSync { cluster in
            try cluster.holdSessions(50, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            defer { cluster.releaseHeldSessions() }
            return try body(cluster, try WizardRun())
        }
    }

    static func walk(_ cluster: TestCluster, wizard: WizardRun) throws -> Double {
        let file = wizard.stateHome + "-timings"
        let terminal = try TmuxTerminal(Wizard.path, [cluster.socketConninfo] + options,
                                        environment: ["XDG_STATE_HOME": wizard.stateHome, "PGSW_WIZARD_TIMINGS": file])
        defer { terminal.close() }
        try terminal.waitFor("[SATISFIED] Preflight")
        try terminal.send("Enter")
        try terminal.waitFor("Step 1 of 6: \(StepName.certs.title)")
        try terminal.send("Enter")
        try terminal.waitFor("y/Enter apply")
        try terminal.send("y")
        // Steps 2-4: open the step, confirm it.
        for step in [StepName.sslOn, .hbaRewrite, .reloadOrRestart].enumerated().map({ "Step \($0.offset + 2) of 6: \($0.element.title)" }) {
            try terminal.waitFor(step)
            try terminal.send("Enter", "y")
        }
        try terminal.waitFor("Keep these changes?")
        try terminal.send("y")
        try terminal.waitFor("Step 5 of 6: \(StepName.terminateNonSSL.title)")
        try terminal.send("Enter")
        try terminal.waitFor("Terminate 50 plain-text session(s)")
        try terminal.send("y", "Enter")
        // Many sessions may ask for the typed confirmation; then the next step comes.
        var screen = try terminal.screen()
        let deadline = Date().addingTimeInterval(60)
        while !screen.contains("Type yes") && !screen.contains("Step 6 of 6"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            screen = try terminal.screen()
        }
        if screen.contains("Type yes") && !screen.contains("Step 6 of 6") {
            try terminal.send("BSpace")
            try terminal.type("yes")
            try terminal.send("Enter")
        }
        try terminal.waitFor("Step 6 of 6: \(StepName.confirm.title)", timeoutSeconds: 120)
        try terminal.send("Enter", "y")
        try terminal.waitFor("[ENFORCED]", timeoutSeconds: 120)
        try terminal.send("q")
        guard try terminal.exitCode() == 0 else { throw BenchmarkFailure("the wizard did not finish cleanly:\n\(try terminal.screen())") }
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        guard let line = lines.last(where: { $0.hasPrefix("peak_rss_kb ") }), let value = Double(line.dropFirst("peak_rss_kb ".count)) else {
            throw BenchmarkFailure("no peak_rss_kb in \(lines)")
        }
        return value
    }

    static func applyPeak(_ cluster: TestCluster, wizard: WizardRun) throws -> Double {
        let (output, kilobytes) = try PeakMemory.run(["apply", cluster.socketConninfo, "--yes"] + options,
                                                     environment: ["XDG_STATE_HOME": wizard.stateHome])
        guard output.exitCode == 0 else { throw BenchmarkFailure("apply: \(output.stdout)\(output.stderr)") }
        return kilobytes
    }
}
