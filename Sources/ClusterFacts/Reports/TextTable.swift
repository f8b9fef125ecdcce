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
        guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
        return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\t", with: "\\t")
    }

    public func render(indent: String = "  ") -> [String] {
        let all = [header] + rows
        let columns = header.count
        var widths = Array(repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() where index < columns { widths[index] = max(widths[index], cell.count) }
        }
        return all.map { row in
            var line = indent
            for (index, cell) in row.enumerated() where index < columns {
                line += index == columns - 1 ? cell : cell.padding(toLength: widths[index] + 2)
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
