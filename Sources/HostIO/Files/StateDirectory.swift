import Foundation

/// Where a cluster's runs keep their journal and lock:
/// `$XDG_STATE_HOME/pg-ssl-wizard/<system_identifier>` (default
/// `~/.local/state`), mode 0700, named by `pg_control`'s system identifier
/// so it survives renames, ports and restarts.
public struct StateDirectory: Hashable, Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Where the cluster's state directory is (or would be), created or not.
    public static func path(systemIdentifier: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        base(environment) + "/pg-ssl-wizard/" + systemIdentifier.filter(\.isNumber)
    }

    /// The local CA's directory, beside the clusters' state directories
    /// (`$XDG_STATE_HOME/pg-ssl-wizard/ca`, default `~/.local/state/...`).
    /// A CA made before this home existed (`~/.local/state/pg-ssl-wizard/ca`)
    /// is kept in use, so clients that trust it keep verifying.
    public static func localAuthority(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let current = base(environment) + "/pg-ssl-wizard/ca"
        let earlier = OSUser.current.home + "/.local/state/pg-ssl-wizard/ca"
        if current != earlier, !FileManager.default.fileExists(atPath: current), FileManager.default.fileExists(atPath: earlier + "/ca.key") {
            return earlier
        }
        return current
    }

    static func base(_ environment: [String: String]) -> String {
        environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? OSUser.current.home + "/.local/state"
    }

    /// The cluster's state directory when it exists already (read-only commands create nothing).
    public static func existing(systemIdentifier: String,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> StateDirectory? {
        guard !systemIdentifier.filter(\.isNumber).isEmpty else { return nil }
        let path = path(systemIdentifier: systemIdentifier, environment: environment)
        let directory = StateDirectory(path: path)
        return directory.isTrusted ? directory : nil
    }

    /// Whether the directory exists and passes `create`'s checks all the way
    /// (no level below the base another user's or a link, a base only this
    /// user's or root's to change): a read from it then reads what only this
    /// user could have put there. Nothing is created.
    public var isTrusted: Bool {
        guard let fd = try? walk(creating: false) else { return false }
        Glibc.close(fd)
        return true
    }

    public static func forCluster(systemIdentifier: String,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws(JournalError) -> StateDirectory {
        guard !systemIdentifier.filter(\.isNumber).isEmpty else {
            throw .stateDirectory(path: base(environment), reason: "the cluster's system identifier is unknown")
        }
        let directory = StateDirectory(path: path(systemIdentifier: systemIdentifier, environment: environment))
        try directory.create()
        return directory
    }

    /// Creates every missing level below the base, 0700, and checks the
    /// whole way without following a link below the base: a directory
    /// someone else can write (XDG_STATE_HOME under /tmp, say) must not let
    /// them swap a level for a link to where root would then write journals,
    /// reports and key backups (docs/SECURITY.md, "Files").
    public func create() throws(JournalError) {
        Glibc.close(try walk(creating: true))
    }

    /// The directory, open, each level below the base checked (and made, 0700, when `creating`).
    private func walk(creating: Bool) throws(JournalError) -> Int32 {
        guard let marker = path.range(of: "/pg-ssl-wizard/", options: .backwards) else {
            throw .stateDirectory(path: path, reason: "not a pg-ssl-wizard state directory")
        }
        // The base is the operator's choice; it, every directory on the way to it and every link
        // followed there must be only theirs or root's to change, since the path is used as typed later.
        let base = try Self.resolveBase(String(path[..<marker.lowerBound]), creating: creating)
        var fd = Glibc.open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .stateDirectory(path: base, reason: String(cString: strerror(errno))) }
        do throws(JournalError) {
            try Self.check(fd, base, own: false)
            for name in path[marker.lowerBound...].split(separator: "/").map(String.init) {
                if creating && mkdirat(fd, name, 0o700) != 0 && errno != EEXIST {
                    throw .stateDirectory(path: path, reason: "cannot create \(name): " + String(cString: strerror(errno)))
                }
                let next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard next >= 0 else {
                    throw .stateDirectory(path: path, reason: "\(name) is not a directory of this user's (a link?): " + String(cString: strerror(errno)))
                }
                Glibc.close(fd)
                fd = next
                try Self.check(fd, name, own: true)
                if creating {
                    guard fchmod(fd, 0o700) == 0 else { throw .stateDirectory(path: path, reason: String(cString: strerror(errno))) }
                } else {
                    // Read only: what others may write in is not ours alone.
                    var info = stat()
                    guard fstat(fd, &info) == 0, info.st_mode & 0o022 == 0 else {
                        throw .stateDirectory(path: path, reason: "\(name) may be written by other users")
                    }
                }
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// Our own levels belong to us; the base to us or root, and if others may
    /// write in it, it is sticky (they cannot rename what is ours).
    static func check(_ fd: Int32, _ name: String, own: Bool) throws(JournalError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .stateDirectory(path: name, reason: String(cString: strerror(errno))) }
        let me = geteuid()
        if own ? info.st_uid != me : (info.st_uid != me && info.st_uid != 0) {
            throw .stateDirectory(path: name, reason: "it belongs to uid \(info.st_uid), not to this user")
        }
        if !own && info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0 {
            throw .stateDirectory(path: name, reason: "other users may write in it")
        }
    }

    /// The base as the kernel finds it, one component at a time, each
    /// directory passed through and each link followed checked on the way:
    /// root's or this user's, and a directory others may write in sticky (they
    /// cannot move what is not theirs there). Nobody else can then move a level
    /// aside or re-point a link between this look and a later use of the path
    /// as typed (journals, records, the CA key). With `creating`, a missing
    /// level is made (0700) once its parent has passed. Returns the path with
    /// no link in it.
    static func resolveBase(_ requested: String, creating: Bool) throws(JournalError) -> String {
        guard requested.utf8.first == UInt8(ascii: "/"), var pending = components(Array(requested.utf8)) else {
            throw .stateDirectory(path: requested, reason: "not an absolute path")
        }
        var current = "/"
        var followed = 0
        try checkOnTheWay(current, followed: false)
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." {
                current = parent(current)
                continue
            }
            let next = current == "/" ? "/" + name : current + "/" + name
            var info = stat()
            if lstat(next, &info) != 0 {
                guard errno == ENOENT, creating, mkdir(next, 0o700) == 0 || errno == EEXIST else {
                    throw .stateDirectory(path: next, reason: String(cString: strerror(errno)))
                }
                try madePrivate(next)
                guard lstat(next, &info) == 0 else { throw .stateDirectory(path: next, reason: String(cString: strerror(errno))) }
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                try checkOnTheWay(next, followed: true)
                followed += 1
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(next, &target, Int(PATH_MAX))
                guard followed <= 40, count > 0 else { throw .stateDirectory(path: next, reason: followed > 40 ? "too many links" : String(cString: strerror(errno))) }
                let bytes = target.prefix(count).map { UInt8(bitPattern: $0) }
                // Walked as the bytes the kernel follows: a target that is not UTF-8 could not be named the same way here.
                guard let parts = components(bytes) else { throw .stateDirectory(path: next, reason: "a link on the way points at a name that is not UTF-8") }
                if bytes.first == UInt8(ascii: "/") { current = "/" }
                pending = parts + pending
                continue
            }
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .stateDirectory(path: next, reason: "not a directory") }
            try checkOnTheWay(next, followed: false)
            current = next
        }
        return current
    }

    /// A level just made: 0700 whatever the umask, as the operator's home would
    /// have it, through a descriptor on the directory itself (no link followed);
    /// one someone else made first is left to the check that follows.
    static func madePrivate(_ path: String) throws(JournalError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_uid == geteuid() else { return }
        guard fchmod(fd, 0o700) == 0 else { throw .stateDirectory(path: path, reason: String(cString: strerror(errno))) }
    }

    /// A path's names between its slashes, cut on the byte as the kernel cuts
    /// them (a Swift `Character` may join a slash to the mark after it);
    /// nil when one is not UTF-8.
    static func components(_ bytes: [UInt8]) -> [String]? {
        var names: [String] = []
        for part in bytes.split(separator: UInt8(ascii: "/")) {
            guard let name = String(validating: part, as: UTF8.self) else { return nil }
            names.append(name)
        }
        return names
    }

    /// The directory above a path with no link in it, cut on the last slash byte.
    static func parent(_ path: String) -> String {
        let bytes = Array(path.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash > 0 else { return "/" }
        return String(decoding: bytes[..<slash], as: UTF8.self)
    }

    /// A directory on the way to the base, or a link followed there.
    static func checkOnTheWay(_ path: String, followed link: Bool) throws(JournalError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .stateDirectory(path: path, reason: String(cString: strerror(errno))) }
        if info.st_uid != 0 && info.st_uid != geteuid() {
            throw .stateDirectory(path: path, reason: (link ? "a link on the way" : "a directory on the way")
                                  + " belongs to uid \(info.st_uid), who could move the state directory aside")
        }
        if !link && info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0 {
            throw .stateDirectory(path: path, reason: "other users may write in this directory on the way and move the state directory aside")
        }
    }
}
