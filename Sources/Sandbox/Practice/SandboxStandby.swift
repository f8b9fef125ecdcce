import ClusterFacts
import Executor
import Foundation
import HostIO

/// The replica scenario's standby: a base backup of the primary over TCP,
/// started on its own port, streaming over TCP with libpq's default
/// sslmode (prefer): plain while SSL is off, over SSL once it reconnects.
enum SandboxStandby {
    static let name = "practice-standby"

    static func create(of primary: LocalCluster, pgpass: String, root: String) throws(SandboxError) -> LocalCluster {
        // A name nobody could have made first, as the standby's root.
        let base = try SandboxFiles.newRoot(prefix: (root as NSString).lastPathComponent + "-base")
        let conninfo = "host=127.0.0.1 port=\(primary.port) user=\(primary.superuser) passfile=\(pgpass) application_name=\(name)"
        do {
            try SandboxFiles.ownedDirectory(base, owner: primary.owner, mode: 0o700)
            try ProcessRunner.checked(primary.binaries.path("pg_basebackup"), ["-D", base, "-X", "stream", "-d", conninfo],
                                      as: primary.owner, timeoutSeconds: 120)
        } catch {
            SandboxFiles.remove(base, owner: primary.owner)
            throw .setupFailed("pg_basebackup for the standby failed: \(operatorMessage(for: error))")
        }
        defer { SandboxFiles.remove(base, owner: primary.owner) }
        var options = LocalCluster.Options()
        options.template = base
        options.settings = ["primary_conninfo": "'\(conninfo)'", "cluster_name": "'\(name)'", "hot_standby": "on"]
        let standby = try LocalCluster.create(binaries: primary.binaries, root: root, owner: primary.owner, options: options)
        try LocalCluster.writeOwned(standby.dataDirectory + "/standby.signal", "", owner: primary.owner, mode: 0o600)
        try standby.start()
        return standby
    }
}
