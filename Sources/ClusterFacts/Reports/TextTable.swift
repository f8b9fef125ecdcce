/// Left-aligned columns separated by two spaces; the last column is not padded.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows.map { $0.map(Self.cell) }
    }

    /// A value someone else wrote (a user or application name) stays in its
    /// cell: a line break or a tab in it is shown as an escape, not obeyed.
    static func cell(_ text: String) -> String {
        // ASCII without a tab or a line break (nearly every cell) is kept as it is without looking at characters.
        if !text.utf8.contains(where: { $0 >= 0x80 || (0x09...0x0D).contains($0) }) { return text }
        guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
        return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\t", with: "\\t")
    }

    public func render(indent: String = "  ") -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(rows.count + 1)
        render(indent: indent) { lines.append($0) }
        return lines
    }

    /// The lines one by one, header first: a caller that writes them as
    /// they come never holds the whole table.
    public func render(indent: String = "  ", line body: (String) -> Void) {
        let columns = header.count
        var widths = Array(repeating: 0, count: columns)
        func measure(_ row: [String]) {
            for (index, cell) in row.enumerated() where index < columns { widths[index] = max(widths[index], Self.width(cell)) }
        }
        measure(header)
        rows.forEach(measure)
        var line: [UInt8] = []
        line.reserveCapacity(widths.reduce(indent.utf8.count) { $0 + $1 + 2 })
        func emit(_ row: [String]) {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: indent.utf8)
            for (index, cell) in row.enumerated() where index < columns {
                line.append(contentsOf: cell.utf8)
                if index < columns - 1 { line.append(contentsOf: repeatElement(UInt8(ascii: " "), count: widths[index] + 2 - Self.width(cell))) }
            }
            while line.last == UInt8(ascii: " ") { line.removeLast() }
            body(String(decoding: line, as: UTF8.self))
        }
        emit(header)
        for row in rows { emit(row) }
    }

    /// Characters shown: the byte count for ASCII (nearly every cell), the characters otherwise.
    static func width(_ text: String) -> Int {
        text.utf8.contains(where: { $0 >= 0x80 }) ? text.count : text.utf8.count
    }
}
