/// Left-aligned columns separated by two spaces; the last column is not padded.
///
/// Cells are kept as bytes in one buffer, each measured once as it is added:
/// a 10,000-row table (`hba explain`) is one allocation and a list of ends,
/// not an array of strings per row, and rendering copies byte ranges.
public struct TextTable: Sendable {
    public let header: [String]
    /// Every body cell's bytes, escaped already, row after row.
    private var cellBytes: [UInt8] = []
    /// Where each body cell ends in `cellBytes`, `header.count` per row.
    private var cellEnds: [Int] = []
    /// The widest body cell of each column so far.
    private var bodyWidths: [Int]

    public init(header: [String]) {
        self.header = header
        bodyWidths = Array(repeating: 0, count: header.count)
    }

    public init(header: [String], rows: [[String]]) {
        self.init(header: header)
        for row in rows { append(row: row) }
    }

    public var rowCount: Int { header.isEmpty ? 0 : cellEnds.count / header.count }

    /// Room for `rows` rows of about `bytesPerRow` bytes, made once.
    public mutating func reserve(rows: Int, bytesPerRow: Int) {
        cellBytes.reserveCapacity(rows * bytesPerRow)
        cellEnds.reserveCapacity(rows * header.count)
    }

    public mutating func append(row: [String]) {
        append { writer in
            for cell in row { writer.cell(cell) }
        }
    }

    /// One row written cell by cell: the writer appends bytes to the open
    /// cell and closes it, with no `String` per cell. Cells beyond the
    /// header's count are dropped; missing ones are empty.
    public mutating func append(_ write: (inout RowWriter) -> Void) {
        var writer = RowWriter(table: self)
        // The buffers move into the writer and back: no copy on the way.
        self = TextTable(header: [])
        write(&writer)
        writer.finish()
        self = writer.table
    }

    /// Writes the cells of one row (see `append(_:)`).
    public struct RowWriter {
        fileprivate var table: TextTable
        private var start: Int
        private var cellsClosed = 0

        fileprivate init(table: TextTable) {
            self.table = table
            start = table.cellBytes.count
        }

        /// Appends to the open cell.
        public mutating func append(_ text: String) {
            guard cellsClosed < table.header.count else { return }
            var text = text
            text.withUTF8 { table.cellBytes.append(contentsOf: $0) }
        }

        public mutating func append(bytes: some Collection<UInt8>) {
            guard cellsClosed < table.header.count else { return }
            table.cellBytes.append(contentsOf: bytes)
        }

        public mutating func append(byte: UInt8) {
            guard cellsClosed < table.header.count else { return }
            table.cellBytes.append(byte)
        }

        /// A whole cell.
        public mutating func cell(_ text: String) {
            append(text)
            closeCell()
        }

        /// Ends the open cell: escapes it when it needs it, and measures it.
        public mutating func closeCell() {
            guard cellsClosed < table.header.count else { return }
            let range = start..<table.cellBytes.count
            if TextTable.needsEscape(table.cellBytes[range]) {
                let escaped = TextTable.escaped(String(decoding: table.cellBytes[range], as: UTF8.self))
                table.cellBytes.replaceSubrange(range, with: escaped.utf8)
            }
            let width = TextTable.width(table.cellBytes[start...])
            table.bodyWidths[cellsClosed] = max(table.bodyWidths[cellsClosed], width)
            table.cellEnds.append(table.cellBytes.count)
            start = table.cellBytes.count
            cellsClosed += 1
        }

        fileprivate mutating func finish() {
            while cellsClosed < table.header.count { closeCell() }
        }
    }

    /// Only a byte 0x80 and up or a control between tab and carriage return
    /// can need an escape: ASCII cells (nearly all) are decided on the bytes.
    static func needsEscape(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.contains(where: { $0 >= 0x80 || (0x09...0x0D).contains($0) })
            && String(decoding: bytes, as: UTF8.self).contains(where: { $0.isNewline || $0 == "\t" })
    }

    /// A value someone else wrote (a user or application name) stays in its
    /// cell: a line break or a tab in it is shown as an escape, not obeyed.
    static func escaped(_ text: String) -> String {
        var shown = ""
        for character in text {
            switch character {
            case "\r": shown += "\\r"
            case "\n": shown += "\\n"
            case "\t": shown += "\\t"
            case "\r\n": shown += "\\r\\n"
            default: shown.append(character)
            }
        }
        return shown
    }

    public func render(indent: String = "  ") -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(rowCount + 1)
        render(indent: indent) { lines.append(String(decoding: $0, as: UTF8.self)) }
        return lines
    }

    /// The lines one by one, header first, each as its UTF-8 bytes (valid
    /// only during the call): a writer that sends them on as they come never
    /// holds the whole table, nor a `String` of each line.
    public func render(indent: String = "  ", bytes body: (ArraySlice<UInt8>) -> Void) {
        let columns = header.count
        var headerTable = TextTable(header: header)
        headerTable.append(row: header)
        var widths = bodyWidths
        for column in 0..<columns { widths[column] = max(widths[column], headerTable.bodyWidths[column]) }
        var line: [UInt8] = []
        line.reserveCapacity(widths.reduce(indent.utf8.count) { $0 + $1 + 2 })
        func emit(_ table: TextTable, row: Int) {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: indent.utf8)
            var start = row == 0 ? 0 : table.cellEnds[row * columns - 1]
            for column in 0..<columns {
                let end = table.cellEnds[row * columns + column]
                let cell = table.cellBytes[start..<end]
                line.append(contentsOf: cell)
                if column < columns - 1 {
                    line.append(contentsOf: repeatElement(UInt8(ascii: " "), count: widths[column] + 2 - Self.width(cell)))
                }
                start = end
            }
            while line.last == UInt8(ascii: " ") { line.removeLast() }
            body(line[...])
        }
        guard columns > 0 else { return }
        emit(headerTable, row: 0)
        for row in 0..<rowCount { emit(self, row: row) }
    }

    /// Characters shown: the byte count for ASCII (nearly every cell), the characters otherwise.
    static func width(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.contains(where: { $0 >= 0x80 }) ? String(decoding: bytes, as: UTF8.self).count : bytes.count
    }
}
