import Foundation

/// The running postmaster of a data directory, as this host sees it.
public enum Postmaster {
    /// The pid on the first line of postmaster.pid, while the server runs.
    public static func pid(dataDirectory: String) -> Int32? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Its stderr when that is a regular file (`pg_ctl -l`): the server log without the collector.
    public static func stderrFile(pid: Int32) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/2"), target.hasPrefix("/") else { return nil }
        var info = stat()
        return stat(target, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? target : nil
    }
}
