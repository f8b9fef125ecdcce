import Foundation
import HostIO

/// Where the wizard may create, replace or re-own a file for the server
/// (keys, certificates, root.crt): the paths come from settings the server's
/// OS user can change (`ssl_cert_file`, `ssl_key_file`, `ssl_ca_file`), so
/// each is checked before root writes there (docs/SECURITY.md, "Files"):
/// - reached without a link anyone but root could change (`SafePath`);
/// - in a directory that belongs to the server's OS user (its data or
///   configuration directory) or to root, and that nobody else may write;
/// - a file owned by the server's user only in a directory of the server's
///   user, never in root's (a postgres-owned file in /etc is root for postgres);
/// - an existing file only when it is root's or the server user's already.
public enum CertificatePlacement {
    /// Why `path` may not get a file owned by `owner` (nil: root's own file), or nil when it may.
    public static func problem(_ path: String, owner: OSUser?, serverUser: OSUser?) -> String? {
        let directory: Int32
        let name: String
        do {
            (directory, name) = try SafePath.parent(of: path)
        } catch {
            return error.operatorMessage
        }
        defer { close(directory) }
        var folder = stat()
        guard fstat(directory, &folder) == 0 else { return "cannot inspect the directory of \(path)" }
        let server = serverUser?.uid
        let folderOwner = folder.st_uid
        guard folderOwner == 0 || folderOwner == server else {
            return "\(path) is in a directory of uid \(folderOwner), neither root's nor the server user's: the wizard writes no key or certificate there; point the setting into the data directory"
        }
        guard folder.st_mode & 0o022 == 0 else {
            return "\(path) is in a directory other users may write: the wizard writes no key or certificate there"
        }
        let fileOwner = owner?.uid ?? geteuid()
        if folderOwner == 0 && fileOwner != 0 {
            return "\(path) would belong to \(owner?.name ?? String(fileOwner)) in a directory only root may change: the wizard does not hand such a place to another user; point the setting into the data directory or the server's configuration directory"
        }
        var existing = stat()
        if fstatat(directory, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
            guard existing.st_mode & S_IFMT == S_IFREG else { return "\(path) exists and is not a regular file" }
            guard existing.st_uid == 0 || existing.st_uid == server else {
                return "\(path) exists and belongs to uid \(existing.st_uid): the wizard replaces only root's or the server user's files"
            }
            if existing.st_uid == 0 && fileOwner != 0 {
                return "\(path) belongs to root: the wizard does not replace it by a file of \(owner?.name ?? String(fileOwner))"
            }
        }
        return nil
    }
}
