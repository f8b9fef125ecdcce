@testable import ClusterFacts
import Foundation
import Testing
import TestSupport

/// A value someone else chose (a user name with a line break) stays in its
/// cell: it cannot print a line of its own in a report.
struct TextTableTests {
    @Test func lineBreaksInACellAreShownNotObeyed() {
        let table = TextTable(header: ["USER", "APP"], rows: [["x\n  ALL CLEAR: no plain-text session", "psql\tx"]])
        let lines = table.render()
        #expect(lines.count == 2, "\(lines)")
        #expect(lines[1].contains("x\\n  ALL CLEAR") && lines[1].contains("psql\\tx"), "\(lines)")
    }

    /// Cells written byte by byte through the row writer are escaped and
    /// measured as whole cells are.
    @Test func cellsWrittenInPiecesAreTheSameAsWholeCells() {
        var pieces = TextTable(header: ["A", "B", "C"])
        pieces.append { row in
            row.append(byte: UInt8(ascii: "{"))
            row.append("é\n")
            row.append(bytes: Array("x}".utf8))
            row.closeCell()
            row.cell("b")
        }
        let whole = TextTable(header: ["A", "B", "C"], rows: [["{é\nx}", "b", ""]])
        #expect(pieces.render() == whole.render())
        #expect(pieces.render()[1] == "  {é\\nx}  b", "\(pieces.render())")
    }

    /// The byte-buffer table renders exactly as the table of strings it
    /// replaced, on generated rows: ASCII, accents, wide and combining
    /// characters, tabs, line breaks (CR LF included), empty cells, rows
    /// shorter and longer than the header.
    @Test func rendersAsTheStringTableDid() {
        var random = SeededRandom(seed: 24)
        let pieces = ["a", "postgres", "10.0.0.1", "é", "東京", "e\u{301}", "\t", "\n", "\r\n", "\r", " ", "", "{all}", "\u{0B}", "x y"]
        for round in 0..<300 {
            let columns = Int.random(in: 1...6, using: &random)
            let header = (0..<columns).map { "H\($0)" + String(repeating: "x", count: Int.random(in: 0...3, using: &random)) }
            let rows = (0..<Int.random(in: 0...8, using: &random)).map { _ in
                (0..<Int.random(in: 0...(columns + 2), using: &random)).map { _ in
                    (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
                }
            }
            for indent in ["", "  "] {
                let table = TextTable(header: header, rows: rows)
                #expect(table.render(indent: indent) == Self.reference(header: header, rows: rows, indent: indent),
                        "round \(round): \(rows)")
                #expect(table.rowCount == rows.count)
            }
        }
    }

    /// The rendering of the table of strings this type used to be, kept as the oracle.
    static func reference(header: [String], rows: [[String]], indent: String) -> [String] {
        func escape(_ text: String) -> String {
            guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
            return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
                .replacingOccurrences(of: "\t", with: "\\t")
        }
        let body = rows.map { $0.map(escape) }
        let columns = header.count
        var widths = Array(repeating: 0, count: columns)
        for row in [header] + body {
            for (index, cell) in row.enumerated() where index < columns { widths[index] = max(widths[index], cell.count) }
        }
        return ([header] + body).map { row in
            var line = indent
            for (index, cell) in row.enumerated() where index < columns {
                line += cell
                if index < columns - 1 { line += String(repeating: " ", count: widths[index] + 2 - cell.count) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
