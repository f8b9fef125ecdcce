import ClusterFacts
/// An in-memory terminal: rows x columns of cells. Views draw into it,
/// clipped to its edges, so a view never needs a real terminal; tests
/// compare its text with golden files.
public struct CellGrid: Hashable, Sendable {
    public let rows: Int
    public let columns: Int
    private var cells: [Cell]

    public init(rows: Int, columns: Int) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        cells = Array(repeating: .blank, count: self.rows * self.columns)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { contains(row, column) ? cells[row * columns + column] : .blank }
        set { if contains(row, column) { cells[row * columns + column] = newValue } }
    }

    func contains(_ row: Int, _ column: Int) -> Bool { row >= 0 && row < rows && column >= 0 && column < columns }

    /// Writes `text` from (row, column) to the right, clipped at `width`
    /// (default: the grid's edge); returns the columns written.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, style: Style = .plain, width: Int? = nil) -> Int {
        guard row >= 0 && row < rows else { return 0 }
        let limit = min(columns, column + (width ?? columns))
        var position = column
        for character in text where position < limit {
            // Control characters would move a real terminal's cursor: shown as a visible stand-in.
            // Tabs and line breaks too: a cell holds one visible character.
            let unsafe = character.unicodeScalars.contains { DisplaySafety.isControl($0) || $0.value == 0x09 || $0.value == 0x0A || $0.value == 0x0D }
            self[row, position] = Cell(unsafe ? "?" : character, style: style)
            position += 1
        }
        return max(0, position - column)
    }

    public mutating func fill(row: Int, column: Int, width: Int, height: Int, with cell: Cell = .blank) {
        for r in row..<(row + max(0, height)) {
            for c in column..<(column + max(0, width)) { self[r, c] = cell }
        }
    }

    /// The grid as plain text, one line per row, trailing blanks cut: the golden-file form.
    public var text: String {
        (0..<rows).map { row in
            var line = String((0..<columns).map { self[row, $0].character })
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Cells that differ from `previous` (all of them when the size changed):
    /// what the backend has to copy to the screen.
    public func changes(since previous: CellGrid?) -> [(row: Int, column: Int, cell: Cell)] {
        var changed: [(row: Int, column: Int, cell: Cell)] = []
        let sameSize = previous.map { $0.rows == rows && $0.columns == columns } ?? false
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = self[row, column]
                if !sameSize || previous?[row, column] != cell { changed.append((row, column, cell)) }
            }
        }
        return changed
    }
}
