import Foundation
import Testing
import TestSupport

/// The role copies a binary built elsewhere. One that needs a newer C
/// library than the host has (a release build packs its relocations where
/// glibc 2.36 runs it) must stop the play at the install, with the loader's
/// reason and the way out, before anything runs on the server, and leave
/// the wizard the host had in place.
struct AnsibleHostCheckTests {
    @Test func aBuildTheHostCannotRunStopsThePlayAtTheInstall() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ansible-playbook") else {
            throw TestEnvironment.Missing(description: "ansible-playbook is not installed (make deps installs ansible-core)")
        }
        let cluster = try TestCluster.start()
        defer { cluster.destroy() }
        try cluster.writeHBA(AnsibleRolloutTests.hba)
        try cluster.reload()
        let fleet = try AnsibleFleet(clusters: ["db1": cluster])

        // The same wizard, asking the loader for a C library version no host has.
        var image = try Data(contentsOf: URL(fileURLWithPath: Wizard.path))
        let needed = Data("GLIBC_2.34\u{0}".utf8), missing = Data("GLIBC_9.34\u{0}".utf8)
        var patched = 0
        while let found = image.range(of: needed) { image.replaceSubrange(found, with: missing); patched += 1 }
        try #require(patched > 0, "the debug build names GLIBC_2.34")
        let binary = fleet.directory + "/pg-ssl-wizard-for-a-newer-libc"
        try image.write(to: URL(fileURLWithPath: binary))
        chmod(binary, 0o755)

        // The wizard an earlier rollout installed (rollback.yml runs it).
        let inventory = try fleet.writeInventory(binary: binary)
        let installed = fleet.directory + "/db1/pg-ssl-wizard"
        try FileManager.default.copyItem(atPath: Wizard.path, toPath: installed)

        let before = try cluster.stateFingerprint()
        let play = try fleet.play("enforce-ssl.yml", inventory: inventory)
        #expect(play.exitCode != 0, "\(play.output)")
        #expect(play.output.contains("does not run on db1, which keeps the wizard it had") && play.output.contains("GLIBC_9.34")
                && play.output.contains("oldest distribution of the fleet"), "\(play.output)")
        #expect(!play.output.contains("TASK [Plan]"), "nothing ran after the install:\n\(play.output)")
        #expect(FileManager.default.contentsEqual(atPath: installed, andPath: Wizard.path), "the wizard it had is still there")
        #expect(try cluster.stateFingerprint() == before)
    }
}
