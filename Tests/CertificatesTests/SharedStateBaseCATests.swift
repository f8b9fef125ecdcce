import Foundation
import HostIO
import Testing
import TestSupport

/// The local CA's default directory is under the state directory's base,
/// which may be shared (a sticky directory others write in). Another user
/// who made `pg-ssl-wizard/ca` there first, with a CA of their own, had it
/// reused: the server's new certificate was signed by a key they hold, and
/// clients were told to trust it. Failed so on the code before; now the
/// directory is checked as the state directory is, and the run stops.
struct SharedStateBaseCATests {
    /// A dry run makes no directory on its way.
    @Test func aDryRunMakesNoStateDirectory() throws {
        let base = try TestEnvironment.scratchDirectory() + "/fresh-base"
        let run = try Wizard.run(["certs", "generate", "--ca", "--dns", "localhost", "--key-type", "ecdsa-p256", "--dry-run",
                                  "--out", try TestEnvironment.scratchDirectory() + "/out"], environment: ["XDG_STATE_HOME": base])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(access(base, F_OK) != 0, "the dry run made \(base)")
    }

    @Test func aCAPlantedByAnotherUserIsNotReused() throws {
        let base = try TestEnvironment.scratchDirectory() + "/shared"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
        #expect(chmod(base, 0o1777) == 0)
        let planted = base + "/pg-ssl-wizard/ca"
        let made = try Wizard.run(["certs", "generate", "--ca", "--dns", "attacker", "--key-type", "ecdsa-p256",
                                   "--out", base + "/attacker-out", "--ca-dir", planted])
        #expect(made.exitCode == 0, "\(made.stderr)")
        for level in [base + "/pg-ssl-wizard", planted, planted + "/ca.crt", planted + "/ca.key"] {
            #expect(chown(level, 65_534, 65_534) == 0, "the tests run as root")
        }
        let plantedCA = try Data(contentsOf: URL(fileURLWithPath: planted + "/ca.crt"))
        let out = try TestEnvironment.scratchDirectory() + "/out"
        let run = try Wizard.run(["certs", "generate", "--ca", "--dns", "localhost", "--key-type", "ecdsa-p256", "--out", out],
                                 environment: ["XDG_STATE_HOME": base])
        #expect(run.exitCode != 0, "\(run.stdout)")
        #expect(run.stderr.contains("belongs to uid 65534"), "\(run.stderr)")
        let issued = (try? Data(contentsOf: URL(fileURLWithPath: out + "/root.crt"))) ?? Data()
        #expect(issued != plantedCA, "the planted CA was handed out as the clients' root")
        #expect(access(out + "/server.crt", F_OK) != 0, "nothing is written")
    }
}
