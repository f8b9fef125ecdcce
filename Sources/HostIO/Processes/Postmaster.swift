import Foundation

/// The running postmaster of a data directory, as this host sees it.
public enum Postmaster {
    /// The pid on the first line of postmaster.pid, while the server runs.
    public static func pid(dataDirectory: String) -> Int32? {
        lines(dataDirectory: dataDirectory)?.first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The port on postmaster.pid's fourth line, while the server runs.
    public static func port(dataDirectory: String) -> Int? {
        guard let lines = lines(dataDirectory: dataDirectory), lines.count > 3,
              let port = Int(lines[3].trimmingCharacters(in: .whitespaces)), (1...65535).contains(port) else { return nil }
        return port
    }

    /// postmaster.pid's lines (pid, data directory, start time, port, ...), read without following a link.
    static func lines(dataDirectory: String) -> [String]? {
        guard let bytes = try? HostFile.read(dataDirectory + "/postmaster.pid") else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Its stderr when that is a regular file (`pg_ctl -l`): the server log without the collector.
    public static func stderrFile(pid: Int32) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/2"), target.hasPrefix("/") else { return nil }
        var info = stat()
        return stat(target, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? target : nil
    }

    /// A postmaster that is what postmaster.pid says it is.
    public struct Verified: Sendable {
        public var pid: Int32
        public var owner: OSUser
        public var binDirectory: String
    }

    /// postmaster.pid belongs to the server's OS user, so nothing in it is
    /// trusted until the kernel agrees: the process runs as the data
    /// directory's owner (never root), from a `postgres` binary in a
    /// directory only root can change, and postmaster.pid names this data
    /// directory. docs/SECURITY.md, "Children".
    public static func verified(dataDirectory: String) throws(ServerRestartFailure) -> Verified {
        guard let lines = lines(dataDirectory: dataDirectory), let pid = lines.first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }),
              pid > 1 else {
            throw .noPostmaster("cannot read \(dataDirectory)/postmaster.pid")
        }
        guard lines.count > 1, canonical(lines[1]) == canonical(dataDirectory) else {
            throw .notThisServer("\(dataDirectory)/postmaster.pid names another data directory")
        }
        guard let directory = try? HostFile.openDirectory(dataDirectory) else {
            throw .notThisServer("\(dataDirectory) is not a directory (or is a link)")
        }
        var info = stat()
        let statted = fstat(directory, &info) == 0
        close(directory)
        guard statted, info.st_uid != 0, let owner = OSUser.lookup(uid: info.st_uid) else {
            throw .notThisServer("\(dataDirectory) is not owned by a PostgreSQL OS user")
        }
        guard processUID(pid) == owner.uid else {
            throw .notThisServer("process \(pid) from postmaster.pid does not run as \(owner.name), the owner of \(dataDirectory)")
        }
        // A postmaster works in its data directory: another cluster's postmaster (same owner) does not.
        guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"), canonical(cwd) == canonical(dataDirectory) else {
            throw .notThisServer("process \(pid) from postmaster.pid is not working in \(dataDirectory)")
        }
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else {
            throw .noPostmaster("cannot see the postmaster (pid \(pid)) from here")
        }
        let binDirectory = (executable as NSString).deletingLastPathComponent
        guard ["postgres", "postmaster"].contains((executable as NSString).lastPathComponent), onlyRootCanChange(binDirectory) else {
            throw .notThisServer("process \(pid) runs \(executable), not a PostgreSQL server in a directory only root can change")
        }
        return Verified(pid: pid, owner: owner, binDirectory: binDirectory)
    }

    /// The effective uid of a process, from the kernel.
    public static func processUID(_ pid: Int32) -> uid_t? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) else { return nil }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return fields.count > 2 ? uid_t(fields[2]) : nil
    }

    /// The directory and every one above it belong to root and are not
    /// writable by group or others: nobody else can put a program or a
    /// library there.
    public static func onlyRootCanChange(_ path: String) -> Bool {
        var current = canonical(path)
        while true {
            var info = stat()
            guard stat(current, &info) == 0, info.st_uid == 0, info.st_mode & 0o022 == 0 else { return false }
            if current == "/" { return true }
            current = (current as NSString).deletingLastPathComponent
            if current.isEmpty { current = "/" }
        }
    }

    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path.trimmingCharacters(in: .whitespaces)).resolvingSymlinksInPath().path
    }
}
