import ClusterFacts
import Foundation
import PostgresClient

/// A server restart, only when the plan says a setting needs one and the
/// operator confirmed it: every session drops. Through systemd when the
/// postmaster runs in a systemd unit, else `pg_ctl restart` as the data
/// directory's owner with the postmaster's own binaries and log file.
public enum ServerRestart {
    public enum Failure: Error, Hashable, Sendable {
        case noPostmaster(String)
        case command(String)
        case notBack(String)
    }

    /// How it was restarted, in words.
    public static func restart(dataDirectory: String) throws -> String {
        guard let pid = Postmaster.pid(dataDirectory: dataDirectory) else {
            throw Failure.noPostmaster("cannot read \(dataDirectory)/postmaster.pid")
        }
        if let unit = systemdUnit(pid: pid) {
            let output = try ProcessRunner.run("systemctl", ["restart", unit], timeoutSeconds: 180)
            guard output.exitCode == 0 else { throw Failure.command("systemctl restart \(unit): \(output.stderr)") }
            return "systemctl restart \(unit)"
        }
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else {
            throw Failure.noPostmaster("cannot see the postmaster (pid \(pid)) from here")
        }
        let pgCtl = (executable as NSString).deletingLastPathComponent + "/pg_ctl"
        var arguments = ["-D", dataDirectory, "-m", "fast", "-w", "-t", "120"]
        // Keep writing to the same log (pg_ctl -l is not remembered across restarts).
        if let log = Postmaster.stderrFile(pid: pid) { arguments += ["-l", log] }
        let owner = OSUser.owner(of: dataDirectory)
        let output = try ProcessRunner.run(pgCtl, arguments + ["restart"], as: owner?.isCurrent == false ? owner : nil,
                                           environment: libraryEnvironment(pid: pid), timeoutSeconds: 180)
        guard output.exitCode == 0 else { throw Failure.command("pg_ctl restart: \(output.stderr)\(output.stdout)") }
        return "pg_ctl restart as \(owner?.name ?? "the current user")"
    }

    /// The running postmaster's LD_LIBRARY_PATH, if it had one: a relocatable
    /// build needs it for the libpq its walreceiver and dblink load, and the
    /// restarted postmaster inherits pg_ctl's environment, not the old one's.
    static func libraryEnvironment(pid: Int32) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if text.hasPrefix("LD_LIBRARY_PATH=") { return ["LD_LIBRARY_PATH": String(text.dropFirst("LD_LIBRARY_PATH=".count))] }
        }
        return [:]
    }

    /// The unit from /proc/<pid>/cgroup (`.../system.slice/postgresql@15-main.service`);
    /// only a PostgreSQL unit: a postmaster started from a shell inherits that
    /// shell's unit (ssh.service), which must never be restarted.
    static func systemdUnit(pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        return text.split(whereSeparator: { $0 == "/" || $0 == "\n" }).map(String.init)
            .first { $0.hasPrefix("postgresql") && $0.hasSuffix(".service") }
    }

    public static func reconnect(_ target: ConnectionTarget, seconds: Double = 60) throws -> Connection {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            do {
                return try Connection.connect(target, timeoutSeconds: 5)
            } catch {
                last = operatorMessage(for: error)
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw Failure.notBack(last)
    }
}

extension ServerRestart.Failure: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .noPostmaster(let why): return "cannot restart the server: \(why); restart it yourself, then run `pg-ssl-wizard resume`"
        case .command(let detail): return "the restart failed: \(detail); check the server log"
        case .notBack(let last): return "the server did not accept connections within 60 s after the restart (\(last)); check the server log"
        }
    }
}
