import Foundation
import HostIO
import Testing

/// A state directory's base may be shared (a sticky directory others write
/// in): what another user made under it before this user did is never read
/// as this user's. `forCluster` refused such a tree already; `existing`
/// (which `status` reads the last run through) took it as it found it,
/// and failed this test before.
struct StateDirectoryTrustTests {
    static func sharedBase() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pgsw-shared-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
        #expect(chmod(base, 0o1777) == 0)
        return base
    }

    @Test func aTreeAnotherUserMadeFirstIsNotTrusted() throws {
        let base = try Self.sharedBase()
        defer { try? FileManager.default.removeItem(atPath: base) }
        for level in ["/pg-ssl-wizard", "/pg-ssl-wizard/7000000000000000001"] {
            try FileManager.default.createDirectory(atPath: base + level, withIntermediateDirectories: false)
            #expect(chown(base + level, 65_534, 65_534) == 0, "the tests run as root")
            #expect(chmod(base + level, 0o700) == 0)
        }
        let environment = ["XDG_STATE_HOME": base]
        #expect(StateDirectory.existing(systemIdentifier: "7000000000000000001", environment: environment) == nil)
        #expect(!StateDirectory(path: base + "/pg-ssl-wizard/7000000000000000001").isTrusted)
        #expect(throws: JournalError.self) { try StateDirectory.forCluster(systemIdentifier: "7000000000000000001", environment: environment) }
    }

    @Test func aLevelOthersMayWriteIsNotTrustedUntilMadeOwn() throws {
        let base = try Self.sharedBase()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let environment = ["XDG_STATE_HOME": base]
        #expect(StateDirectory.existing(systemIdentifier: "7000000000000000002", environment: environment) == nil, "nothing is created")
        #expect(access(base + "/pg-ssl-wizard", F_OK) != 0)
        let made = try StateDirectory.forCluster(systemIdentifier: "7000000000000000002", environment: environment)
        #expect(StateDirectory.existing(systemIdentifier: "7000000000000000002", environment: environment) == made)
        #expect(chmod(made.path, 0o777) == 0)
        #expect(StateDirectory.existing(systemIdentifier: "7000000000000000002", environment: environment) == nil)
        _ = try StateDirectory.forCluster(systemIdentifier: "7000000000000000002", environment: environment)
        #expect(StateDirectory.existing(systemIdentifier: "7000000000000000002", environment: environment) == made, "0700 again")
    }
}
