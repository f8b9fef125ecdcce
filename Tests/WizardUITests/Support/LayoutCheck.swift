@testable import WizardUI

/// What a reader must be able to trust about a laid-out line: no row wider
/// than the pane, and the rows read back as the line, each break either at
/// a blank or marked. A word or token cut without a mark reads back with a
/// blank inside it, and is reported.
enum LayoutCheck {
    static func problems(_ line: Line, rows: [Line], width: Int? = nil, unicode: Bool) -> String? {
        let mark = TextLayout.marker(unicode: unicode)
        if let width, let wide = rows.first(where: { $0.text.count > width }) { return "a row wider than \(width): \(wide.text)" }
        var rebuilt = ""
        var joinNext = false
        for (index, row) in rows.enumerated() {
            var text = row.text
            if index > 0 { text = String(text.drop { $0 == " " }) }
            let marked = text.hasSuffix(mark)
            if marked { text.removeLast(mark.count) }
            if index > 0 && !joinNext { rebuilt += " " }
            rebuilt += text
            joinNext = marked
        }
        func squeezed(_ text: String) -> String {
            text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        return squeezed(rebuilt) == squeezed(line.text) ? nil : "\"\(line.text)\" reads back as \"\(rebuilt)\""
    }
}
