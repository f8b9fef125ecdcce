import ClusterFacts
import Executor
import Foundation
import HostIO

/// A kept practice sandbox, as `practice --destroy` (another process) needs
/// it: `$XDG_STATE_HOME/pg-ssl-wizard/practice/<scenario>.json`, 0600.
/// The cluster files live under /tmp, where the postgres OS user can reach them.
public struct PracticeRecord: Codable, Hashable, Sendable {
    public var scenario: PracticeScenario
    public var roots: [String]
    public var dataDirectories: [String]
    public var binDirectory: String
    public var owner: OSUser
    public var operatorConninfo: String
    public var serverLog: String
    public var clientsLog: String
    public var createdAt: Date

    static func directory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? OSUser.current.home + "/.local/state"
        return base + "/pg-ssl-wizard/practice"
    }

    static func path(_ scenario: PracticeScenario, _ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        directory(environment) + "/\(scenario.rawValue).json"
    }

    /// The operator's pgpass file, beside the record. Root's libpq reads it
    /// by path: in the sandbox's root, the server's OS user's, it could be
    /// swapped for a link to root's own ~/.pgpass; and without one named,
    /// libpq would answer a server that asks for a password (the sandbox's
    /// owner may make it ask) with a line of root's own (docs/SECURITY.md,
    /// "Files").
    static func operatorPassfile(_ scenario: PracticeScenario,
                                 _ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        directory(environment) + "/\(scenario.rawValue).pgpass"
    }

    /// Writes the operator's pgpass file (0600) in the records' directory, made and checked first.
    static func writeOperatorPassfile(_ scenario: PracticeScenario, _ line: String) throws(SandboxError) -> String {
        let path = operatorPassfile(scenario)
        do {
            try StateDirectory(path: directory()).create()
            _ = try AtomicFileWriter(stamp: AtomicFileWriter.timestamp()).write(Array(line.utf8), to: path, mode: 0o600, backup: nil)
        } catch {
            throw .fileSystem("cannot write the operator's pgpass file: \(operatorMessage(for: error))")
        }
        return path
    }

    public static func load(_ scenario: PracticeScenario,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> PracticeRecord? {
        // Read only from a directory nobody else could have written in: `destroy` kills and
        // removes what a record names, as the user it names.
        guard StateDirectory(path: directory(environment)).isTrusted,
              let data = FileManager.default.contents(atPath: path(scenario, environment)) else { return nil }
        return try? StoredJSON.decoder().decode(PracticeRecord.self, from: data)
    }

    /// Every kept sandbox, in scenario order.
    public static func kept(environment: [String: String] = ProcessInfo.processInfo.environment) -> [PracticeRecord] {
        PracticeScenario.allCases.compactMap { load($0, environment: environment) }
    }

    func save() throws(SandboxError) {
        do {
            try StateDirectory(path: Self.directory()).create()
            _ = try AtomicFileWriter(stamp: AtomicFileWriter.timestamp()).write(try StoredJSON.bytes(self), to: Self.path(scenario),
                                                                                mode: 0o600, backup: nil)
        } catch {
            throw .fileSystem("cannot save the practice record: \(operatorMessage(for: error))")
        }
    }

    /// Everything the sandbox started is stopped and every file removed:
    /// client loops and wrappers (found by the root in their command
    /// line), the servers (immediate shutdown), the directories, the record.
    public func destroy() {
        let marked = processes(mentioning: roots)
        for pid in marked { kill(pid, SIGTERM) }
        for data in dataDirectories.reversed() where FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
            _ = try? ProcessRunner.run(binDirectory + "/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], as: owner, timeoutSeconds: 60)
        }
        let deadline = Date().addingTimeInterval(5)
        while !processes(mentioning: roots).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        for pid in processes(mentioning: roots) { kill(pid, SIGKILL) }
        for root in roots { SandboxFiles.remove(root, owner: owner) }
        unlink(Self.operatorPassfile(scenario))
        unlink(Self.path(scenario))
    }

    /// The sandbox's own client loops: processes of its owner, running a
    /// shell or the sandbox's psql (the kernel's word, from /proc), whose
    /// command line names one of `roots`. A server backend never qualifies,
    /// whatever user name a stranger logged in with to put a root in its title.
    public func processes(mentioning roots: [String]) -> [Int32] {
        let programs: Set<String> = ["/usr/bin/dash", "/bin/dash", "/usr/bin/bash", "/bin/bash", binDirectory + "/psql"]
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != getpid(), Postmaster.processUID(pid) == owner.uid,
                  let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"), programs.contains(exe),
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return roots.contains { line.contains($0) }
        }
    }
}
