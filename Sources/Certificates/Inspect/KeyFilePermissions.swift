/// PostgreSQL's check of the server key file (be-secure-common.c,
/// check_ssl_key_file_permissions; the same on 13-18): owned by the server's
/// user or root; no group/other bits for the server's own file; group read
/// (no more) allowed when root owns it.
public enum KeyFilePermissions {
    public static func findings(for file: FileSnapshot, serverUser: ServerUser) -> [CertificateFinding] {
        guard file.kind == .regular || file.kind == .unreadable else { return [] }
        var findings: [CertificateFinding] = []
        let ownedByRoot = file.ownerUID == 0
        if file.ownerUID != serverUser.uid, !ownedByRoot {
            findings.append(.keyOwner(path: file.path, owner: file.ownerName.isEmpty ? "uid \(file.ownerUID)" : file.ownerName,
                                      serverUser: serverUser.name))
        }
        let forbidden: UInt32 = ownedByRoot && file.ownerUID != serverUser.uid ? 0o037 : 0o077
        if file.mode & forbidden != 0 {
            findings.append(.keyMode(path: file.path, mode: file.mode, ownedByRoot: ownedByRoot && file.ownerUID != serverUser.uid))
        }
        return findings
    }
}
