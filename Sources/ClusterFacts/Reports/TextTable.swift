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
    /// Each body cell's width on screen, measured when it was closed.
    private var cellWidths: [Int32] = []
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
        cellWidths.reserveCapacity(rows * header.count)
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
            var (unusual, nonASCII) = TextTable.scan(table.cellBytes, from: start)
            if unusual {
                let range = start..<table.cellBytes.count
                let text = String(decoding: table.cellBytes[range], as: UTF8.self)
                if text.contains(where: { $0.isNewline || $0 == "\t" }) {
                    table.cellBytes.replaceSubrange(range, with: TextTable.escaped(text).utf8)
                    (_, nonASCII) = TextTable.scan(table.cellBytes, from: start)
                }
            }
            let width = nonASCII ? String(decoding: table.cellBytes[start...], as: UTF8.self).count : table.cellBytes.count - start
            table.bodyWidths[cellsClosed] = max(table.bodyWidths[cellsClosed], width)
            table.cellEnds.append(table.cellBytes.count)
            table.cellWidths.append(Int32(clamping: width))
            start = table.cellBytes.count
            cellsClosed += 1
        }

        fileprivate mutating func finish() {
            while cellsClosed < table.header.count { closeCell() }
        }
    }

    /// Whether the bytes from `start` on hold a byte that could need an
    /// escape (0x80 and up, or a control from tab to carriage return: only
    /// then is the text looked at as characters), and whether any is not
    /// ASCII (then the width is counted in characters).
    static func scan(_ bytes: [UInt8], from start: Int) -> (unusual: Bool, nonASCII: Bool) {
        bytes.withUnsafeBufferPointer { buffer in
            var unusual = false, nonASCII = false
            for index in start..<buffer.count {
                let byte = buffer[index]
                if byte >= 0x80 { nonASCII = true; unusual = true } else if byte >= 0x09 && byte <= 0x0D { unusual = true }
            }
            return (unusual, nonASCII)
        }
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
        guard columns > 0 else { return }
        var headerTable = TextTable(header: header)
        headerTable.append(row: header)
        var widths = bodyWidths
        for column in 0..<columns { widths[column] = max(widths[column], headerTable.bodyWidths[column]) }
        let indentBytes = Array(indent.utf8)
        var line: [UInt8] = []
        line.reserveCapacity(widths.reduce(indentBytes.count) { $0 + $1 + 2 } + 64)
        func emit(_ table: TextTable) {
            table.cellBytes.withUnsafeBufferPointer { bytes in
                table.cellEnds.withUnsafeBufferPointer { ends in
                    table.cellWidths.withUnsafeBufferPointer { cellWidths in
                        var start = 0
                        for row in 0..<table.rowCount {
                            line.removeAll(keepingCapacity: true)
                            line.append(contentsOf: indentBytes)
                            for column in 0..<columns {
                                let cell = row * columns + column
                                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<ends[cell]]))
                                if column < columns - 1 {
                                    line.append(contentsOf: repeatElement(UInt8(ascii: " "), count: widths[column] + 2 - Int(cellWidths[cell])))
                                }
                                start = ends[cell]
                            }
                            while line.last == UInt8(ascii: " ") { line.removeLast() }
                            body(line[...])
                        }
                    }
                }
            }
        }
        emit(headerTable)
        emit(self)
    }
}
