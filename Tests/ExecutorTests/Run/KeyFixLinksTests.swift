import Enforcement
import Foundation
@testable import Executor
import HostIO
import Testing
import TestSupport

/// A key is handed to another owner only when it has one name. A second
/// name is a hard link, which the server's user could have made to a file
/// of root's where the kernel lets them (fs.protected_hardlinks=0): giving
/// it to them would hand that file over. Failed on the code before, which
/// changed the owner whatever the links. A mode alone still changes on a
/// key with more names (hard-linked backups of the data directory).
struct KeyFixLinksTests {
    @Test func aKeyWithTwoNamesIsNotHandedOver() async throws {
        try await TestCluster.with { cluster in
            let owner = cluster.local.owner
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let runner = try DeadManPeerTests.runner(cluster, connection)

            let roots = cluster.dataDirectory + "/roots.key"
            try Data("-----BEGIN PRIVATE KEY-----\n".utf8).write(to: URL(fileURLWithPath: roots))
            #expect(chown(roots, 0, 0) == 0 && chmod(roots, 0o640) == 0)
            #expect(link(roots, cluster.dataDirectory + "/roots-second-name") == 0)
            let handed = runner.fixKeyPermissions(KeyPermissionFix(path: roots, currentMode: 0o640, currentOwner: "root", mode: 0o600, owner: owner.name))
            guard case .certificatesFailed(let message) = handed.event else {
                Issue.record("the key was handed over: \(handed.event)")
                return
            }
            #expect(message.contains("2 names (hard links)"), "\(message)")
            var info = stat()
            #expect(stat(roots, &info) == 0 && info.st_uid == 0 && info.st_mode & 0o777 == 0o640)

            let own = cluster.dataDirectory + "/own.key"
            try Data("-----BEGIN PRIVATE KEY-----\n".utf8).write(to: URL(fileURLWithPath: own))
            #expect(chown(own, owner.uid, owner.gid) == 0 && chmod(own, 0o640) == 0)
            #expect(link(own, cluster.dataDirectory + "/own-backup") == 0)
            let tightened = runner.fixKeyPermissions(KeyPermissionFix(path: own, currentMode: 0o640, currentOwner: owner.name, mode: 0o600, owner: owner.name))
            #expect(tightened.event == .certificatesWritten, "\(tightened.event)")
            #expect(stat(own, &info) == 0 && info.st_mode & 0o777 == 0o600)
        }
    }
}
