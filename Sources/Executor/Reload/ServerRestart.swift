import ClusterFacts
import Foundation
import HostIO
import PostgresClient

/// A server restart, only when the plan says a setting needs one and the
/// operator confirmed it: every session drops. Through systemd when the
/// postmaster runs in a systemd unit, else `pg_ctl restart` as the data
/// directory's owner with the postmaster's own binaries and log file.
public enum ServerRestart {
    public typealias Failure = ServerRestartFailure

    /// How it was restarted, in words. The target is checked first: the pid
    /// in postmaster.pid (a file the server's OS user can write) must be a
    /// process of the data directory's owner, started from a `postgres`
    /// binary in a directory only root can change, for this data directory
    /// (docs/SECURITY.md, "Children").
    public static func restart(dataDirectory: String) throws -> String {
        let postmaster = try Postmaster.verified(dataDirectory: dataDirectory)
        if let unit = systemdUnit(pid: postmaster.pid) {
            let output = try ProcessRunner.run("systemctl", ["restart", unit], timeoutSeconds: 180)
            guard output.exitCode == 0 else { throw Failure.command("systemctl restart \(unit): \(output.stderr)") }
            return "systemctl restart \(unit)"
        }
        let pgCtl = postmaster.binDirectory + "/pg_ctl"
        // -p: this postmaster's own binary, not the one postmaster.opts (the server user's file) names.
        var arguments = ["-D", dataDirectory, "-m", "fast", "-w", "-t", "120", "-p", postmaster.binDirectory + "/postgres"]
        // Keep writing to the same log (pg_ctl -l is not remembered across restarts). Without one
        // (its output went to a terminal, a pipe, /dev/null), /dev/null: without -l the new
        // postmaster would inherit pg_ctl's output, the wizard's own deleted temporary files
        // (ProcessRunner), and fill them unseen for the rest of its life.
        arguments += ["-l", Postmaster.stderrFile(pid: postmaster.pid) ?? "/dev/null"]
        let output = try ProcessRunner.run(pgCtl, arguments + ["restart"], as: postmaster.owner.isCurrent ? nil : postmaster.owner,
                                           environment: libraryEnvironment(binDirectory: postmaster.binDirectory), timeoutSeconds: 180)
        guard output.exitCode == 0 else { throw Failure.command("pg_ctl restart: \(output.stderr)\(output.stdout)") }
        return "pg_ctl restart as \(postmaster.owner.name)"
    }

    /// What a relocatable build needs (its own libpq for the walreceiver and
    /// dblink), computed from where its binaries are: `<bindir>/../lib` when
    /// it holds libpq. Never copied from the running postmaster's environment,
    /// which its OS user controls.
    public static func libraryEnvironment(binDirectory: String) -> [String: String] {
        let library = (binDirectory as NSString).deletingLastPathComponent + "/lib"
        guard HostFile.kind(library + "/libpq.so.5") != nil, Postmaster.onlyRootCanChange(library) else { return [:] }
        return ["LD_LIBRARY_PATH": library]
    }

    /// The unit from /proc/<pid>/cgroup (`.../system.slice/postgresql@15-main.service`);
    /// only a PostgreSQL unit: a postmaster started from a shell inherits that
    /// shell's unit (ssh.service), which must never be restarted.
    static func systemdUnit(pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        // A system unit only (`.../system.slice/postgresql@15-main.service`): a user's own service manager
        // can name a unit `postgresql.service` too, and restarting that name as root would restart every cluster.
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "/").map(String.init)
            guard parts.count >= 2, parts[parts.count - 2] == "system.slice", let unit = parts.last,
                  unit.hasPrefix("postgresql"), unit.hasSuffix(".service") else { continue }
            // And systemd itself names this pid as the unit's main process.
            let main = try? ProcessRunner.run("systemctl", ["show", "-p", "MainPID", "--value", unit], timeoutSeconds: 10)
            return main?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(pid) ? unit : nil
        }
        return nil
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
            // A refused connection costs a millisecond: look again soon.
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw Failure.notBack(last)
    }
}
