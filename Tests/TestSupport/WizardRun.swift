import Executor
import Foundation
import HostIO

/// `pg-ssl-wizard apply/resume/rollback` as an operator runs them, each
/// test with its own state directory (test clusters share one template, so
/// they share a system identifier: the state directory is per test instead).
public struct WizardRun: Sendable {
    public let stateHome: String
    /// Where the wizard runs: the lab's server namespace, or here.
    public let namespace: String?

    public init(namespace: String? = nil) throws {
        stateHome = try TestEnvironment.scratchDirectory() + "/state"
        self.namespace = namespace
    }

    @discardableResult
    public func run(_ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 300) throws -> ProcessOutput {
        try ProcessRunner.run(Wizard.path, arguments, inNamespace: namespace,
                              environment: environment.merging(["XDG_STATE_HOME": stateHome]) { $1 }, inheritEnvironment: true,
                              timeoutSeconds: timeoutSeconds)
    }

    /// Starts the wizard with `PG_SSL_WIZARD_PAUSE_AT=point` and returns once
    /// it has stopped itself there (SIGSTOP); the caller changes the server,
    /// then `continueRun` lets it go on.
    public func startPaused(_ arguments: [String], at point: String) throws -> (ChildProcess, log: String) {
        let log = stateHome + "-paused-\(UUID().uuidString.prefix(6)).log"
        let child = try ProcessRunner.spawn(Wizard.path, arguments, inNamespace: namespace,
                                            environment: ["XDG_STATE_HOME": stateHome, "PG_SSL_WIZARD_PAUSE_AT": point],
                                            inheritEnvironment: true, logFile: log)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if Self.isStopped(child.pid) { return (child, log) }
            if !child.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        child.terminate()
        throw TestEnvironment.Missing(description: "the wizard never reached \(point): \(text)")
    }

    /// SIGCONT, then the exit code and the output.
    public func continueRun(_ child: ChildProcess, log: String) throws -> (exitCode: Int32, output: String) {
        kill(child.pid, SIGCONT)
        guard let code = child.wait(timeoutSeconds: 300) else {
            child.terminate()
            throw TestEnvironment.Missing(description: "the wizard did not finish after SIGCONT")
        }
        return (code, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// The state letter in /proc/<pid>/stat is T for a stopped process.
    static func isStopped(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] == "T"
    }

    /// Every file the state directory holds, concatenated (for "no password anywhere" checks).
    public func allStateText() -> String {
        guard let enumerator = FileManager.default.enumerator(atPath: stateHome) else { return "" }
        var text = ""
        while let entry = enumerator.nextObject() as? String {
            text += (try? String(contentsOfFile: stateHome + "/" + entry, encoding: .utf8)) ?? ""
        }
        return text
    }
}
