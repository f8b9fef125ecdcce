import ClusterFacts
/// PostgreSQL's check of the server key file (be-secure-common.c,
/// check_ssl_key_file_permissions; the same on 13-18): owned by the server's
/// user or root; no group/other bits for the server's own file; group read
/// (no more) allowed when root owns it.
public enum KeyFilePermissions {
    public static func findings(for file: FileSnapshot, serverUser: FileOwner) -> [CertificateFinding] {
        guard file.kind == .regular || file.kind == .unreadable else { return [] }
        var findings: [CertificateFinding] = []
        let rootRule = file.ownerUID == 0 && serverUser.uid != 0
        if file.ownerUID != serverUser.uid, !rootRule {
            findings.append(.keyOwner(path: file.path, owner: file.ownerName.isEmpty ? "uid \(file.ownerUID)" : file.ownerName,
                                      serverUser: serverUser.name))
        }
        if file.mode & (rootRule ? 0o037 : 0o077) != 0 {
            findings.append(.keyMode(path: file.path, mode: file.mode, ownedByRoot: rootRule))
        }
        return findings
    }
}
