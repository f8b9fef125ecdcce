/// The result of reading one file.
public enum FileRead: Hashable, Sendable {
    case contents([UInt8])
    /// `strerror` text such as "No such file or directory"; `missing` is ENOENT.
    case failure(reason: String, missing: Bool)
}

/// File contents come in from outside: the HBA module never touches the disk.
/// `@file` lists and `include*` directives read through this.
public protocol FileSource: Sendable {
    func read(_ path: String) -> FileRead
    /// Names in a directory (not paths); nil with a reason when unreadable.
    func list(_ directory: String) -> Result<[String], FileListError>
    /// Whether `path` is a regular file (include_dir skips anything else).
    func isRegularFile(_ path: String) -> Bool
}

public struct FileListError: Error, Hashable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// Files held in memory, for tests and for candidate files not yet written.
public struct InMemoryFiles: FileSource {
    public var files: [String: [UInt8]]

    public init(_ files: [String: String] = [:]) {
        self.files = files.mapValues { Array($0.utf8) }
    }

    public func read(_ path: String) -> FileRead {
        if let bytes = files[path] { return .contents(bytes) }
        return .failure(reason: "No such file or directory", missing: true)
    }

    public func list(_ directory: String) -> Result<[String], FileListError> {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let names = files.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
            .map { String($0.dropFirst(prefix.count)) }
        if names.isEmpty { return .failure(FileListError(reason: "No such file or directory")) }
        return .success(names)
    }

    public func isRegularFile(_ path: String) -> Bool { files[path] != nil }
}

/// Path arithmetic as PostgreSQL does it for included files.
enum ConfigPath {
    /// `AbsoluteConfigLocation` / the @-file rule: relative names resolve
    /// against the directory of the file that mentions them.
    static func resolve(_ name: String, relativeTo outer: String) -> String {
        // On the bytes, as the server's path functions read them (a mark after a `/` hides it from characters).
        if name.utf8.first == UInt8(ascii: "/") { return canonicalize(name) }
        let directory = outer.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropLast()
            .map(Substring.init).joined(separator: "/")
        return canonicalize((directory.isEmpty ? "." : directory) + "/" + name)
    }

    /// `canonicalize_path`: drops `.` components, empty components and
    /// trailing slashes, and folds `x/..`.
    static func canonicalize(_ path: String) -> String {
        let absolute = path.utf8.first == UInt8(ascii: "/")
        var parts: [Substring] = []
        for part in path.utf8.split(separator: UInt8(ascii: "/")).map(Substring.init) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute, parts.isEmpty { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
