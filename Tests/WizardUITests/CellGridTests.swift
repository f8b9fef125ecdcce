import Testing
@testable import WizardUI

/// The in-memory terminal the views draw into.
struct CellGridTests {
    @Test func writingClipsAtTheEdgeAndShowsControlCharacters() {
        var grid = CellGrid(rows: 2, columns: 8)
        #expect(grid.write("hostssl all", row: 0, column: 2) == 6)
        #expect(grid.write("a\tb\u{1b}", row: 1, column: 0) == 4)
        #expect(grid.text == "  hostss\na?b?")
        #expect(grid.write("x", row: 5, column: 0) == 0, "outside the grid nothing is written")
        // DEL, a C1 control (CSI) and a right-to-left override from a user name in the log never reach ncurses.
        var hostile = CellGrid(rows: 1, columns: 8)
        hostile.write("a\u{7f}b\u{9b}c\u{202e}d", row: 0, column: 0)
        #expect(hostile.text == "a?b?c?d")
    }

    @Test func framesUseBoxDrawingOrASCIIByLocale() {
        #expect(BoxDrawing.forLocale(["LANG": "C.UTF-8"]) == .unicode)
        #expect(BoxDrawing.forLocale(["LC_ALL": "C", "LANG": "en_US.UTF-8"]) == .ascii, "LC_ALL wins")
        #expect(BoxDrawing.forLocale([:]) == .ascii)
        var grid = CellGrid(rows: 3, columns: 12)
        grid.frame(row: 0, column: 0, width: 12, height: 3, title: "certs", box: .ascii)
        #expect(grid.text == "+- certs --+\n|          |\n+----------+")
        grid.frame(row: 0, column: 0, width: 12, height: 3, title: "certs", box: .unicode)
        #expect(grid.text == "┌─ certs ──┐\n│          │\n└──────────┘")
    }

    @Test func onlyChangedCellsAreCopiedAndAResizeCopiesAll() {
        var before = CellGrid(rows: 2, columns: 4)
        before.write("ssl", row: 0, column: 0)
        var after = before
        after.write("on", row: 1, column: 1, style: Style(.good))
        let changes = after.changes(since: before)
        #expect(changes.map { "\($0.row),\($0.column),\($0.cell.character)" } == ["1,1,o", "1,2,n"])
        #expect(changes.allSatisfy { $0.cell.style.role == .good })
        #expect(after.changes(since: CellGrid(rows: 3, columns: 4)).count == 8)
        #expect(after.changes(since: nil).count == 8)
        #expect(after.changes(since: after).isEmpty)
    }
}
