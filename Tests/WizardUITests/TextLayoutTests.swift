import Testing
@testable import WizardUI

/// The one layout of every pane, on values: words and tokens stay whole,
/// an over-long token breaks after `/` or `,` with a mark, continuation
/// rows hang under the text, styles survive (issue 25, item 1).
struct TextLayoutTests {
    @Test func wordsWrapWholeWithStylesAndAHangingIndent() {
        let line = Line(spans: [Span("NO  ", Style(.bad, bold: true)), Span("the wizard's connection from 127.0.0.1 was admitted")])
        let rows = TextLayout.wrap(line, width: 24)
        #expect(rows.map(\.text) == ["NO  the wizard's", "  connection from", "  127.0.0.1 was admitted"])
        #expect(rows[0].spans[0].style == Style(.bad, bold: true))
        #expect(TextLayout.wrap(Line("short"), width: 20) == [Line("short")])
        #expect(TextLayout.wrap(Line(String(repeating: "x", count: 20)), width: 20).count == 1, "exactly the width fits")
        let indented = TextLayout.wrap(Line("  clients move to SSL by themselves when they can"), width: 24)
        #expect(indented.map(\.text) == ["  clients move to SSL by", "    themselves when they", "    can"])
    }

    @Test func pathsSQLAndQuotedStringsStayWhole() {
        let sql = TextLayout.wrap(Line("SELECT name FROM pg_catalog.pg_file_settings WHERE error IS NOT NULL"), width: 30)
        #expect(sql.map(\.text) == ["SELECT name FROM", "  pg_catalog.pg_file_settings", "  WHERE error IS NOT NULL"])
        let quoted = TextLayout.wrap(Line("sslrootcert='/etc/ssl/root ca.crt' and then more words"), width: 36)
        #expect(quoted.first?.text == "sslrootcert='/etc/ssl/root ca.crt'", "the quoted value and its blank are one token")
        let apostrophe = TextLayout.wrap(Line("the wizard's own connection isn't quoted at all here"), width: 20)
        #expect(apostrophe.map(\.text) == ["the wizard's own", "  connection isn't", "  quoted at all here"])
    }

    @Test func anOverlongTokenBreaksAfterASlashWithAMark() {
        let path = "/tmp/pgsw-practice-basic-952c1c/sock/.s.PGSQL.5432"
        let rows = TextLayout.wrap(Line("socket " + path), width: 30)
        #expect(rows.map(\.text) == ["socket /tmp/↩", "  pgsw-practice-basic-952c1c/↩", "  sock/.s.PGSQL.5432"], "\(rows.map(\.text))")
        #expect(rows.dropLast().allSatisfy { $0.text.hasSuffix("↩") }, "every break inside the token is marked")
        #expect(rows.map(\.text).joined().replacingOccurrences(of: "↩", with: "").replacingOccurrences(of: "  ", with: "").contains(path))
        #expect(TextLayout.wrap(Line("socket " + path), width: 30, unicode: false).dropLast().allSatisfy { $0.text.hasSuffix("\\") })
        let list = TextLayout.wrap(Line("names " + (1...30).map { "host\($0)" }.joined(separator: ",")), width: 40)
        #expect(list.dropLast().allSatisfy { $0.text.hasSuffix(",↩") }, "a list breaks after a comma: \(list.map(\.text))")
    }

    @Test func aDeepIndentAndANarrowWidthNeverCrashOrOverflow() {
        let deep = Line(String(repeating: " ", count: 40) + "a-very-long-token-without-any-separator-in-it-at-all and words")
        for width in [9, 12, 20, 30] {
            let rows = TextLayout.wrap(deep, width: width)
            #expect(rows.allSatisfy { $0.text.count <= width }, "width \(width): \(rows.map(\.text))")
            #expect(LayoutCheck.problems(deep, rows: rows, width: width, unicode: true) == nil)
        }
    }

    /// The check every screen runs through (`LayoutCheck`): it catches a word cut without a mark.
    @Test func theCheckCatchesAnUnmarkedBreak() {
        let line = Line("the wizard admitted themselves")
        #expect(LayoutCheck.problems(line, rows: [Line("the wizard admi"), Line("  tted themselves")], unicode: true) != nil)
        #expect(LayoutCheck.problems(line, rows: TextLayout.wrap(line, width: 16), unicode: true) == nil)
    }
}
