import ClusterFacts
import Executor
import Foundation
import HostIO

/// A directory of PostgreSQL server programs (initdb, pg_ctl, postgres, ...).
public struct PostgresBinaries: Hashable, Sendable, Codable {
    public let directory: String
    public let version: ServerVersion

    /// Where to look, in order: `PG_BINDIR`, `pg_config --bindir`, then the
    /// newest `/usr/lib/postgresql/*/bin`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SandboxError) -> PostgresBinaries {
        if let explicit = environment["PG_BINDIR"], !explicit.isEmpty {
            return try at(explicit)
        }
        if let output = try? ProcessRunner.run("pg_config", ["--bindir"]), output.succeeded {
            let directory = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if let found = try? at(directory) { return found }
        }
        let root = "/usr/lib/postgresql"
        let majors = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        for major in majors.reversed() {
            if let found = try? at("\(root)/\(major)/bin") { return found }
        }
        throw .serverBinariesNotFound
    }

    /// The binaries in `directory`; fails unless initdb, pg_ctl and postgres are there.
    public static func at(_ directory: String) throws(SandboxError) -> PostgresBinaries {
        for tool in ["initdb", "pg_ctl", "postgres"] where !FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)") {
            throw .missingServerProgram(tool, directory: directory)
        }
        let output: ProcessOutput
        do {
            output = try ProcessRunner.checked("\(directory)/postgres", ["--version"])
        } catch {
            throw .missingServerProgram("postgres", directory: directory)
        }
        guard let version = parseVersion(output.stdout) else {
            throw .missingServerProgram("postgres", directory: directory)
        }
        return PostgresBinaries(directory: directory, version: version)
    }

    public func path(_ tool: String) -> String { "\(directory)/\(tool)" }

    /// `pg_config --configure` of this build (which optional features it has), if pg_config is there.
    public var configureFlags: String? {
        guard has("pg_config"), let output = try? ProcessRunner.checked(path("pg_config"), ["--configure"]) else { return nil }
        return output.stdout
    }

    /// The environment server processes need. A relocatable build (such as
    /// the matrix servers unpacked by `make servers`) ships its own libpq in
    /// `../lib`, but its libpqwalreceiver.so looks for it under the build's
    /// prefix: without this a standby's walreceiver loads the system libpq,
    /// which may not know the options pg_basebackup -R wrote.
    public var serverEnvironment: [String: String] { ServerRestart.libraryEnvironment(binDirectory: directory) }

    public func has(_ tool: String) -> Bool { FileManager.default.isExecutableFile(atPath: path(tool)) }

    /// "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> 15.18
    static func parseVersion(_ text: String) -> ServerVersion? {
        guard let range = text.range(of: #"\d+\.\d+"#, options: .regularExpression) else { return nil }
        let parts = text[range].split(separator: ".").compactMap { Int($0) }
        guard parts.count == 2 else { return nil }
        return ServerVersion(major: parts[0], minor: parts[1])
    }
}
