import Executor
import Foundation
import HostIO

/// Facts about where the tests run. Nothing is skipped: a test that needs
/// root, namespaces or a server and cannot have them fails with a message
/// that says what is missing (under CI=true and everywhere else).
public enum TestEnvironment {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Fails unless the tests run as root (namespaces, the postgres user).
    public static func requireRoot(for purpose: String) throws {
        guard OSUser.isRoot else {
            throw Missing(description: "\(purpose) needs root (run `make test` as root); refusing to skip")
        }
    }

    /// Directory of the built products (the test bundle sits next to them).
    public static var productsDirectory: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // swift test runs .build/<config>/<Package>PackageTests.xctest directly on Linux.
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url.path
    }

    /// The root of the source tree (for golden files and fixtures).
    public static func packageRoot(file: String = #filePath) -> String {
        var url = URL(fileURLWithPath: file)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }
}

extension TestEnvironment {
    /// A fresh directory under /tmp, removed when the test process exits
    /// (and by a later run if this one was killed). Mode 0755 so that the
    /// postgres user can read what a test puts there.
    public static func scratchDirectory() throws -> String {
        let path = try Registry.shared.newRoot()
        guard chmod(path, 0o755) == 0 else { throw TestEnvironment.Missing(description: "chmod \(path): \(String(cString: strerror(errno)))") }
        return path
    }

    /// Every file under `directory` with its mode, owner and SHA-256: equal
    /// before and after proves that nothing was written, moved or chmodded.
    public static func fingerprint(_ directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return ["(absent)"] }
        var lines: [String] = []
        while let entry = enumerator.nextObject() as? String {
            let path = directory + "/" + entry
            var info = stat()
            lstat(path, &info)
            let data = FileManager.default.contents(atPath: path).map { FileDigest.sha256(Array($0)) } ?? "-"
            lines.append("\(entry) \(String(info.st_mode, radix: 8)) \(info.st_uid):\(info.st_gid) \(data)")
        }
        return lines.sorted()
    }
}
