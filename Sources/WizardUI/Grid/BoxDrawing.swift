/// Frame characters: Unicode box drawing when the locale is UTF-8, plain
/// ASCII otherwise (a non-UTF-8 terminal would show mojibake).
public struct BoxDrawing: Hashable, Sendable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character

    public static let unicode = BoxDrawing(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘")
    public static let ascii = BoxDrawing(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+")

    /// From the locale variables, as setlocale would choose (LC_ALL, then LC_CTYPE, then LANG).
    public static func forLocale(_ environment: [String: String]) -> BoxDrawing {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        let upper = locale.uppercased()
        return upper.contains("UTF-8") || upper.contains("UTF8") ? .unicode : .ascii
    }
}

extension CellGrid {
    /// A frame around the rectangle, with an optional title in its top edge.
    public mutating func frame(row: Int, column: Int, width: Int, height: Int, title: String? = nil,
                               box: BoxDrawing, style: Style = Style(.dim)) {
        guard width >= 2, height >= 2 else { return }
        let right = column + width - 1, bottom = row + height - 1
        for c in (column + 1)..<right {
            self[row, c] = Cell(box.horizontal, style: style)
            self[bottom, c] = Cell(box.horizontal, style: style)
        }
        for r in (row + 1)..<bottom {
            self[r, column] = Cell(box.vertical, style: style)
            self[r, right] = Cell(box.vertical, style: style)
        }
        self[row, column] = Cell(box.topLeft, style: style)
        self[row, right] = Cell(box.topRight, style: style)
        self[bottom, column] = Cell(box.bottomLeft, style: style)
        self[bottom, right] = Cell(box.bottomRight, style: style)
        if let title, width > 4 { write(" \(title) ", row: row, column: column + 2, style: Style(.title, bold: true), width: width - 4) }
    }
}
