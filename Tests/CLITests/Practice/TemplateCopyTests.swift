import Foundation
import HostIO
import Sandbox
import Testing

/// A cluster made from a template (the replica's standby, from a base
/// backup) is copied into a root that belongs to the server's user, who
/// could put a link at `data` first. Copied as root, the template (theirs
/// too) went wherever the link pointed, owned by them; failed so on the
/// code before. Copied as the owner, it goes nowhere they could not write.
struct TemplateCopyTests {
    @Test func aLinkAtDataSendsTheTemplateNowhere() throws {
        let owner = try LocalCluster.defaultOwner()
        try #require(!owner.isCurrent, "the tests run as root, the clusters as postgres")
        let scratch = try SandboxFiles.newRoot(prefix: "pgsw-template-copy")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let victim = scratch + "/victim"
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: false)
        #expect(chmod(scratch, 0o755) == 0 && chmod(victim, 0o755) == 0)
        let template = scratch + "/template"
        try FileManager.default.createDirectory(atPath: template, withIntermediateDirectories: false)
        try Data("theirs\n".utf8).write(to: URL(fileURLWithPath: template + "/profile.sh"))
        let root = scratch + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        for path in [template, template + "/profile.sh", root] { #expect(chown(path, owner.uid, owner.gid) == 0) }
        try FileManager.default.createSymbolicLink(atPath: root + "/data", withDestinationPath: victim)
        #expect(lchown(root + "/data", owner.uid, owner.gid) == 0)
        var options = LocalCluster.Options()
        options.template = template
        #expect(throws: SandboxError.self) {
            _ = try LocalCluster.create(binaries: try PostgresBinaries.locate(), root: root, owner: owner, options: options)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim).isEmpty, "the template was copied through the link")
    }
}
