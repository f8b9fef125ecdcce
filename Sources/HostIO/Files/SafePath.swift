import Foundation

/// Resolves a path one component at a time, from `/`, holding a descriptor
/// of each directory on the way: nothing another user controls can redirect
/// it between a check and a use. A symbolic link on the way is followed only
/// when root owns it and it lies in a directory root owns and nobody else
/// may write (only root could have made or changed it: `/var/run`, a data
/// directory moved by the administrator); any other link stops the
/// resolution (docs/SECURITY.md, "Files").
public enum SafePath {
    static let maxLinks = 40

    /// The directory that holds `path`'s last component, and that name.
    public static func parent(of path: String) throws(FileWriteError) -> (fd: Int32, name: String) {
        var components = absolute(path).split(separator: "/").map(String.init)
        guard let name = components.popLast(), name != "..", name != "." else {
            throw .notRegular(path: path, found: "not a file name")
        }
        return (try walk(components, path: path), name)
    }

    /// `path` itself as an open directory (O_RDONLY, for fstat, fsync and *at calls).
    public static func directory(_ path: String) throws(FileWriteError) -> Int32 {
        try walk(absolute(path).split(separator: "/").map(String.init), path: path)
    }

    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private static func walk(_ components: [String], path: String) throws(FileWriteError) -> Int32 {
        var fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(path: "/", operation: "open", errno: errno) }
        var queue = components[...]
        var links = 0
        while let component = queue.first {
            queue = queue.dropFirst()
            if component.isEmpty || component == "." { continue }
            var info = stat()
            guard fstatat(fd, component, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                let code = errno
                close(fd)
                throw .system(path: path, operation: "open", errno: code)
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                var holder = stat()
                guard fstat(fd, &holder) == 0, info.st_uid == 0, holder.st_uid == 0, holder.st_mode & 0o022 == 0 else {
                    close(fd)
                    throw .untrustedLink(path: path, component: component)
                }
                links += 1
                guard links <= maxLinks, let target = readLink(fd, component) else {
                    close(fd)
                    throw .system(path: path, operation: "resolve", errno: ELOOP)
                }
                if target.hasPrefix("/") {
                    close(fd)
                    fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    guard fd >= 0 else { throw .system(path: "/", operation: "open", errno: errno) }
                }
                queue = target.split(separator: "/").map(String.init)[...] + queue
                continue
            }
            // O_NOFOLLOW: a link swapped in since the fstatat is refused, not followed.
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(fd)
            guard next >= 0 else {
                if code == ELOOP { throw .untrustedLink(path: path, component: component) }
                throw .system(path: path, operation: "open", errno: code)
            }
            fd = next
        }
        return fd
    }

    private static func readLink(_ fd: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(fd, name, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
