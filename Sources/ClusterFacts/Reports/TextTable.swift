/// Left-aligned columns separated by two spaces; the last column is not padded.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        // Rebuilt only when a cell needs an escape: a 10,000-row table
        // whose cells need none is not copied.
        self.rows = rows.contains { $0.contains(where: Self.needsEscape) } ? rows.map { $0.map(Self.cell) } : rows
    }

    /// ASCII without a tab or a line break (nearly every cell) needs none, without looking at characters.
    static func needsEscape(_ text: String) -> Bool {
        text.utf8.contains(where: { $0 >= 0x80 || (0x09...0x0D).contains($0) }) && text.contains(where: { $0.isNewline || $0 == "\t" })
    }

    /// A value someone else wrote (a user or application name) stays in its
    /// cell: a line break or a tab in it is shown as an escape, not obeyed.
    static func cell(_ text: String) -> String {
        guard needsEscape(text) else { return text }
        return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\t", with: "\\t")
    }

    public func render(indent: String = "  ") -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(rows.count + 1)
        render(indent: indent) { lines.append(String(decoding: $0, as: UTF8.self)) }
        return lines
    }

    /// The lines one by one, header first, each as its UTF-8 bytes (valid
    /// only during the call): a writer that sends them on as they come never
    /// holds the whole table, nor a `String` of each line.
    public func render(indent: String = "  ", bytes body: (ArraySlice<UInt8>) -> Void) {
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
            body(line[...])
        }
        emit(header)
        for row in rows { emit(row) }
    }

    /// Characters shown: the byte count for ASCII (nearly every cell), the characters otherwise.
    static func width(_ text: String) -> Int {
        text.utf8.contains(where: { $0 >= 0x80 }) ? text.count : text.utf8.count
    }
}
