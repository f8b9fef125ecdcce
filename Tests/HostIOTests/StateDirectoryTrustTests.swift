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

    /// The directories above the base: one of another user's on the way lets
    /// them move the base aside, after a look at it, and put one of theirs in
    /// its place, which root would then read from and write in.
    @Test func aBaseInsideAnotherUsersDirectoryIsRefused() throws {
        let outer = try Self.sharedBase()
        defer { try? FileManager.default.removeItem(atPath: outer) }
        let theirs = outer + "/theirs"
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: false)
        #expect(chown(theirs, 65_534, 65_534) == 0, "the tests run as root")
        #expect(chmod(theirs, 0o755) == 0)
        // The base itself is this user's and 0700: only the level above it is someone else's.
        let base = theirs + "/state"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
        #expect(chmod(base, 0o700) == 0)
        let environment = ["XDG_STATE_HOME": base]
        #expect(throws: JournalError.self) { try StateDirectory.forCluster(systemIdentifier: "7000000000000000003", environment: environment) }
        #expect(access(base + "/pg-ssl-wizard", F_OK) != 0, "nothing made under it")
        #expect(StateDirectory.existing(systemIdentifier: "7000000000000000003", environment: environment) == nil)
        // A base still to be made there is refused before anything is made on the way.
        #expect(throws: JournalError.self) { try StateDirectory.forCluster(systemIdentifier: "7000000000000000003", environment: ["XDG_STATE_HOME": theirs + "/new/state"]) }
        #expect(access(theirs + "/new", F_OK) != 0, "no level made inside their directory")
        // A slash and the combining mark after it are one Swift Character: the way is still cut where the kernel cuts it.
        #expect(throws: JournalError.self) { try StateDirectory.forCluster(systemIdentifier: "7000000000000000003", environment: ["XDG_STATE_HOME": theirs + "/\u{301}state"]) }
        #expect(access(theirs + "/\u{301}state", F_OK) != 0, "no level made inside their directory")

        // Above a base of this user's own, a directory others may write in that is not sticky is refused too.
        let writable = outer + "/open"
        try FileManager.default.createDirectory(atPath: writable + "/state", withIntermediateDirectories: true)
        #expect(chmod(writable, 0o777) == 0 && chmod(writable + "/state", 0o700) == 0)
        #expect(throws: JournalError.self) { try StateDirectory.forCluster(systemIdentifier: "7000000000000000003", environment: ["XDG_STATE_HOME": writable + "/state"]) }

        // Under root's and this user's directories only (a sticky one on the way is fine), it is made.
        let own = outer + "/own/state"
        try FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: true)
        let made = try StateDirectory.forCluster(systemIdentifier: "7000000000000000003", environment: ["XDG_STATE_HOME": own])
        #expect(made.isTrusted)
    }

    /// The base as typed is what the run uses later (journal, records, the
    /// CA key): a link on the way that another user owns can be re-pointed
    /// after the look, at a tree of theirs, even when it first points at a
    /// directory of root's.
    @Test func aLinkAnotherUserOwnsOnTheWayIsRefused() throws {
        let outer = try Self.sharedBase()
        defer { try? FileManager.default.removeItem(atPath: outer) }
        let real = outer + "/real"
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: false)
        #expect(chmod(real, 0o700) == 0)
        let theirs = outer + "/their-link"
        #expect(symlink(real, theirs) == 0 && lchown(theirs, 65_534, 65_534) == 0, "the tests run as root")
        #expect(throws: JournalError.self) { try StateDirectory.forCluster(systemIdentifier: "7000000000000000004", environment: ["XDG_STATE_HOME": theirs]) }
        #expect(access(real + "/pg-ssl-wizard", F_OK) != 0, "nothing made where it pointed")
        #expect(StateDirectory.existing(systemIdentifier: "7000000000000000004", environment: ["XDG_STATE_HOME": theirs]) == nil)

        // The same link, this user's own: it can only be changed by this user or root, so it is followed.
        let own = outer + "/own-link"
        #expect(symlink(real, own) == 0)
        let made = try StateDirectory.forCluster(systemIdentifier: "7000000000000000004", environment: ["XDG_STATE_HOME": own])
        #expect(made.isTrusted && access(real + "/pg-ssl-wizard/7000000000000000004", F_OK) == 0)
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
