import Enforcement
import Foundation
@testable import Executor
import HostIO
import Testing
import TestSupport

/// Fixing a key's mode and owner touches a file with one name only. A
/// second name is a hard link, which the server's user could have made to
/// a file of root's where the kernel lets them (fs.protected_hardlinks=0):
/// changing its owner to them would hand that file over. Failed on the code
/// before, which changed the file's mode whatever its links.
struct KeyFixLinksTests {
    @Test func aKeyWithTwoNamesIsLeftAsItIs() async throws {
        try await TestCluster.with { cluster in
            let key = cluster.dataDirectory + "/linked.key"
            try Data("-----BEGIN PRIVATE KEY-----\n".utf8).write(to: URL(fileURLWithPath: key))
            let owner = cluster.local.owner
            #expect(chown(key, owner.uid, owner.gid) == 0 && chmod(key, 0o640) == 0)
            #expect(link(key, cluster.dataDirectory + "/second-name") == 0)
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let runner = try DeadManPeerTests.runner(cluster, connection)
            let performed = runner.fixKeyPermissions(KeyPermissionFix(path: key, currentMode: 0o640, currentOwner: owner.name, mode: 0o600, owner: owner.name))
            guard case .certificatesFailed(let message) = performed.event else {
                Issue.record("the key was changed: \(performed.event)")
                return
            }
            #expect(message.contains("2 names (hard links)"), "\(message)")
            var info = stat()
            #expect(stat(key, &info) == 0 && info.st_mode & 0o777 == 0o640)
        }
    }
}
