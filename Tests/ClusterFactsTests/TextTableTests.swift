@testable import ClusterFacts
import Testing

/// A value someone else chose (a user name with a line break) stays in its
/// cell: it cannot print a line of its own in a report.
struct TextTableTests {
    @Test func lineBreaksInACellAreShownNotObeyed() {
        let table = TextTable(header: ["USER", "APP"], rows: [["x\n  ALL CLEAR: no plain-text session", "psql\tx"]])
        let lines = table.render()
        #expect(lines.count == 2, "\(lines)")
        #expect(lines[1].contains("x\\n  ALL CLEAR") && lines[1].contains("psql\\tx"), "\(lines)")
    }
}
