import Executor
import Foundation
import HostIO

/// A real terminal for end-to-end tests: the wizard runs in a detached tmux
/// session (its own tmux server socket), keys go in with `send-keys`, the
/// screen comes back with `capture-pane`. When the wizard exits the pane
/// keeps its last screen and a line with the exit code.
public final class TmuxTerminal: @unchecked Sendable {
    public let name: String
    /// The tmux server (`-L`): shared by the tests, or one of a test's own that it may kill.
    public let server: String
    public static let socket = "pgsw-tests"

    /// Starts `arguments` (the wizard's) in a `rows` x `columns` terminal,
    /// inside `namespace` when given, with `environment` (tmux does not pass
    /// the caller's environment to a new session's command).
    public init(_ executable: String, _ arguments: [String], environment: [String: String], namespace: String? = nil,
                rows: Int = 40, columns: Int = 120, server: String = TmuxTerminal.socket) throws {
        name = "wizard-\(UUID().uuidString.prefix(8))"
        self.server = server
        // A clean environment (env -i): the wizard sees only what the test says, not the test runner's.
        let base = ["LANG": "C.UTF-8", "TERM": "tmux-256color", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root"]
        let env = (base.merging(environment) { $1 })
            .sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let prefix = namespace.map { "ip netns exec \($0) " } ?? ""
        let command = "\(prefix)env -i \(env) \(([executable] + arguments).map(Self.quote).joined(separator: " ")); "
            + "echo \"wizard exited with $?\"; echo \"terminal modes: $(stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo|icrnl)$' | tr '\\n' ' ')\"; sleep 3600"
        // The shared server exits when its last session closes: a session started while another test's
        // last one closes can reach a server on its way out ("server exited unexpectedly"). Once more then.
        var attempt = 0
        while true {
            do {
                try Self.tmux(server, ["new-session", "-d", "-s", name, "-x", String(columns), "-y", String(rows), command])
                return
            } catch let missing as TestEnvironment.Missing where missing.description.contains("server exited unexpectedly") && attempt < 3 {
                attempt += 1
                usleep(200_000)
            }
        }
    }

    /// Keys by tmux name: "Enter", "Escape", "Up", "q", "C-c".
    public func send(_ keys: String...) throws {
        for key in keys { try Self.tmux(server, ["send-keys", "-t", name, key]) }
    }

    /// Text typed literally.
    public func type(_ text: String) throws {
        try Self.tmux(server, ["send-keys", "-t", name, "-l", text])
    }

    public func screen() throws -> String {
        try Self.tmux(server, ["capture-pane", "-p", "-t", name])
    }

    /// The screen with its colours and attributes as escape sequences.
    public func screenWithAttributes() throws -> String {
        try Self.tmux(server, ["capture-pane", "-p", "-e", "-t", name])
    }

    /// Waits until every one of `texts` is on a settled screen; returns that screen.
    ///
    /// Settled: two captures 50 ms apart are the same. ncurses sends a frame
    /// in more than one write and tmux draws what has arrived, so a capture
    /// can hold half a frame: the dialog's title already there, its last lines
    /// not yet (CI stop 44 failed on exactly that screen).
    @discardableResult
    public func waitFor(_ texts: String..., timeoutSeconds: Double = 60) throws -> String {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if texts.allSatisfy(last.contains) {
                Thread.sleep(forTimeInterval: 0.05)
                let again = try screen()
                if again == last { return last }
                continue
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestEnvironment.Missing(description: "the screen never showed \(texts) within \(timeoutSeconds) s; it shows:\n\(last)")
    }

    /// The wizard's exit code, once it has exited.
    public func exitCode(timeoutSeconds: Double = 60) throws -> Int32 {
        let screen = try waitFor("wizard exited with ", timeoutSeconds: timeoutSeconds)
        guard let line = screen.split(separator: "\n").last(where: { $0.hasPrefix("wizard exited with ") }),
              let code = Int32(line.dropFirst("wizard exited with ".count)) else {
            throw TestEnvironment.Missing(description: "no exit code on the screen:\n\(screen)")
        }
        return code
    }

    /// After the wizard exited: the line modes `stty` found (e.g. "icanon echo icrnl"; "-icanon" if left raw).
    public func terminalModes() throws -> String {
        let screen = try waitFor("terminal modes: ")
        return screen.split(separator: "\n").last { $0.hasPrefix("terminal modes: ") }.map { String($0.dropFirst("terminal modes: ".count)) } ?? ""
    }

    /// The wizard's pid (the child of the pane's shell).
    public func wizardPID() throws -> Int32 {
        let shell = try Self.tmux(server, ["list-panes", "-t", name, "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try ProcessRunner.run("/usr/bin/pgrep", ["-P", shell], timeoutSeconds: 10).stdout
        guard let pid = children.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw TestEnvironment.Missing(description: "no wizard process under the pane's shell \(shell)")
        }
        return pid
    }

    public func resize(rows: Int, columns: Int) throws {
        try Self.tmux(server, ["resize-window", "-t", name, "-x", String(columns), "-y", String(rows)])
    }

    /// The whole terminal gone at once (`tmux kill-server`): every process
    /// of its sessions gets SIGHUP, as when an ssh connection drops.
    public func killServer() {
        _ = try? Self.tmux(server, ["kill-server"])
    }

    public func close() {
        _ = try? Self.tmux(server, ["kill-session", "-t", name])
    }

    deinit { close() }

    @discardableResult
    static func tmux(_ server: String, _ arguments: [String]) throws -> String {
        // The tmux server's shells are the operator's: they keep this process's environment (locale, PG_BINDIR).
        let output = try ProcessRunner.run("/usr/bin/tmux", ["-L", server] + arguments, inheritEnvironment: true, timeoutSeconds: 30)
        guard output.exitCode == 0 else {
            throw TestEnvironment.Missing(description: "tmux \(arguments.first ?? "") failed: \(output.stderr)")
        }
        return output.stdout
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

extension TmuxTerminal {
    /// From the preflight screen, every step confirmed by keys up to "Keep
    /// these changes?"; that screen.
    @discardableResult
    public func walkToTheKeepQuestion() throws -> String {
        try waitFor("[SATISFIED] Preflight")
        try send("Enter", "Enter", "y")
        try waitFor("Step 2 of 6: Turn SSL on")
        try send("Enter", "y")
        try waitFor("Step 3 of 6: Require SSL in pg_hba.conf")
        try send("Enter", "y")
        try waitFor("Step 4 of 6: Reload and check")
        try send("Enter", "y")
        return try waitFor("Keep these changes?", "Reverting in")
    }
}
