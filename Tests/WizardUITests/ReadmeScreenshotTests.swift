import Foundation
import Testing

/// The README's text screenshots are golden files, copied in whole: a
/// screen that changes changes the README with it (PGSW_RECORD_GOLDEN=1
/// rewrites them), so a reader sees the wizard as it is (issue 25, item 6).
struct ReadmeScreenshotTests {
    static let readme = Golden.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")
    static let screenshots = ["preflight-120x40", "hba-rewrite-confirm-120x40", "final-120x40"]

    @Test func theReadmeShowsTheGoldenScreens() throws {
        var text = try String(contentsOf: Self.readme, encoding: .utf8)
        var changed = false
        for name in Self.screenshots {
            let golden = try String(contentsOf: Golden.directory.appendingPathComponent(name + ".txt"), encoding: .utf8)
            let marker = "<!-- screenshot: \(name) -->\n```text\n"
            guard let start = text.range(of: marker), let end = text.range(of: "```\n", range: start.upperBound..<text.endIndex) else {
                Issue.record("README.md has no block after \"<!-- screenshot: \(name) -->\"")
                continue
            }
            let shown = String(text[start.upperBound..<end.lowerBound])
            if ProcessInfo.processInfo.environment["PGSW_RECORD_GOLDEN"] == "1" {
                text.replaceSubrange(start.upperBound..<end.lowerBound, with: golden)
                changed = true
            } else {
                #expect(shown == golden, "README.md's \(name) screenshot differs from the golden file (PGSW_RECORD_GOLDEN=1 rewrites it)")
            }
        }
        if changed { try text.write(to: Self.readme, atomically: true, encoding: .utf8) }
    }
}
