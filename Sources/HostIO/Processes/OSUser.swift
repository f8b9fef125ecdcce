import ClusterFacts
import Foundation

/// An operating-system account, for running server tools as the data
/// directory's owner (initdb and pg_ctl refuse root).
public struct OSUser: Hashable, Sendable, Codable {
    public var name: String
    public var uid: uid_t
    public var gid: gid_t
    public var home: String

    public static var current: OSUser {
        let uid = geteuid()
        return lookup(uid: uid) ?? OSUser(name: String(uid), uid: uid, gid: getegid(), home: NSHomeDirectory())
    }

    public static var isRoot: Bool { geteuid() == 0 }

    public static func named(_ name: String) -> OSUser? {
        guard let entry = getpwnam(name) else { return nil }
        return OSUser(entry.pointee)
    }

    public static func lookup(uid: uid_t) -> OSUser? {
        guard let entry = getpwuid(uid) else { return nil }
        return OSUser(entry.pointee)
    }

    /// The account that owns `path`.
    public static func owner(of path: String) -> OSUser? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return lookup(uid: info.st_uid)
    }

    private init(_ entry: passwd) {
        self.init(name: String(cString: entry.pw_name), uid: entry.pw_uid, gid: entry.pw_gid,
                  home: String(cString: entry.pw_dir))
    }

    public init(name: String, uid: uid_t, gid: gid_t, home: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.home = home
    }

    public var isCurrent: Bool { uid == geteuid() }

    /// This account as the owner of a file.
    public var fileOwner: FileOwner { FileOwner(name: name, uid: uid, gid: gid) }

    /// The owner of a file whose ids are known, by its account's name when it has one.
    public static func fileOwner(uid: uid_t, gid: gid_t) -> FileOwner {
        FileOwner(name: lookup(uid: uid)?.name ?? "uid \(uid)", uid: uid, gid: gid)
    }
}
