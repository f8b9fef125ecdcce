@testable import ClusterFacts
import Foundation
import Testing

/// The diff the plans print: `patch` (an independent program) must turn the
/// old text into the new one with it, for scattered in-place changes,
/// insertions, deletions and repeated lines.
struct UnifiedDiffTests {
    static func applyWithPatch(_ old: String, _ diff: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgsw-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("f")
        try old.write(to: file, atomically: true, encoding: .utf8)
        try diff.write(to: directory.appendingPathComponent("d"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/patch")
        process.arguments = ["--quiet", "--force", file.path, directory.appendingPathComponent("d").path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try String(contentsOf: file, encoding: .utf8)
    }

    @Test(arguments: [1, 2, 3, 4])
    func patchReproducesTheNewText(seed: UInt64) throws {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var old: [String] = []
        for n in 0..<3000 { old.append(n % 7 == 0 ? "" : n % 11 == 0 ? "# comment" : "host all app\(n % 300) 10.\(n % 250).0.0/16 md5") }
        var new: [String] = []
        for line in old {
            switch next(20) {
            case 0: continue
            case 1: new.append(line); new.append("hostnossl all all 0.0.0.0/0 reject")
            case 2, 3, 4, 5: new.append(line.replacingOccurrences(of: "host ", with: "hostssl "))
            default: new.append(line)
            }
        }
        let oldText = old.joined(separator: "\n") + "\n", newText = new.joined(separator: "\n") + "\n"
        let diff = UnifiedDiff.make(old: oldText, new: newText, oldName: "a", newName: "b")
        #expect(diff.hasPrefix("--- a\n+++ b\n@@ "))
        #expect(try Self.applyWithPatch(oldText, diff) == newText)
    }

    @Test func identicalTextsHaveNoDiffAndSmallChangesKeepThreeLinesOfContext() {
        #expect(UnifiedDiff.make(old: "a\nb\n", new: "a\nb\n", oldName: "x", newName: "y") == "")
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let diff = UnifiedDiff.make(old: old, new: old.replacingOccurrences(of: "line 5\n", with: "line five\n"), oldName: "x", newName: "y")
        #expect(diff == "--- x\n+++ y\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n")
    }
}
