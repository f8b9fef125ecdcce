import HBA
import Testing

/// Edits apply in file order whatever order they come in: an insertion at
/// the very offset where a replacement starts goes before it (a hostgssenc
/// twin inserted after a record, followed by the next record's type edit).
/// The order used to follow a Set's hash order, and crashed on "overlapping edits".
struct LosslessPrinterTests {
    @Test func anInsertionAtAReplacementsStartGoesFirstInEitherOrder() {
        let bytes = Array("host a\nhost b\n".utf8)
        let insertion = TextEdit(span: SourceSpan(file: "/h", start: 7, end: 7), replacement: Array("x\n".utf8))
        let replacement = TextEdit(span: SourceSpan(file: "/h", start: 7, end: 11), replacement: Array("hostssl".utf8))
        for edits in [[insertion, replacement], [replacement, insertion]] {
            for _ in 0..<20 {
                #expect(String(decoding: LosslessPrinter.apply(edits, to: bytes), as: UTF8.self) == "host a\nx\nhostssl b\n")
            }
        }
    }
}
