import Foundation

/// A line of text in a pane, in styled spans: what pages, logs and
/// dialogs are made of before they are clipped into the grid.
public struct Line: Hashable, Sendable {
    public var spans: [Span]

    public init(spans: [Span]) { self.spans = spans }
    public init(_ text: String, _ style: Style = .plain) { spans = [Span(text, style)] }

    public var text: String { spans.map(\.text).joined() }

    /// A label in dim, then its value.
    static func field(_ label: String, _ value: String, _ style: Style = .plain) -> Line {
        Line(spans: [Span(label + " ", Style(.dim)), Span(value, style)])
    }

    /// A `diff -u` line, coloured as added, removed, or context.
    static func diff(_ text: String) -> Line {
        if text.hasPrefix("+++") || text.hasPrefix("---") { return Line(text, Style(.dim, bold: true)) }
        if text.hasPrefix("@@") { return Line(text, Style(.title)) }
        if text.hasPrefix("+") { return Line(text, Style(.added)) }
        if text.hasPrefix("-") { return Line(text, Style(.removed)) }
        return Line(text)
    }
}

extension Line {
    /// The line cut into rows of at most `width` characters, styles kept,
    /// each continuation indented by two spaces: nothing is clipped away.
    func wrapped(width: Int) -> [Line] {
        guard width > 4, text.count > width else { return [self] }
        var rows: [Line] = []
        var current: [Span] = [], used = 0
        for span in spans {
            var rest = Substring(span.text)
            while !rest.isEmpty {
                let room = width - used
                let piece = rest.prefix(room)
                current.append(Span(String(piece), span.style))
                used += piece.count
                rest = rest.dropFirst(piece.count)
                if used == width && !(rest.isEmpty && span == spans.last) {
                    rows.append(Line(spans: current))
                    current = [Span("  ")]
                    used = 2
                }
            }
        }
        if current.count > 1 || current.first?.text != "  " { rows.append(Line(spans: current)) }
        return rows
    }
}

public struct Span: Hashable, Sendable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

extension CellGrid {
    /// Draws a line's spans from (row, column), clipped at `width`.
    mutating func draw(_ line: Line, row: Int, column: Int, width: Int) {
        var used = 0
        for span in line.spans where used < width {
            used += write(span.text, row: row, column: column + used, style: span.style, width: width - used)
        }
    }
}

/// Word wrap to a width; paragraphs (blank lines) are kept, over-long words cut.
enum Wrap {
    static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var out: [String] = []
        for paragraph in text.components(separatedBy: "\n") {
            var current = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = String(word)
                while word.count > width {
                    if !current.isEmpty { out.append(current); current = "" }
                    out.append(String(word.prefix(width)))
                    word = String(word.dropFirst(width))
                }
                if current.isEmpty { current = word } else if current.count + 1 + word.count <= width { current += " " + word } else {
                    out.append(current)
                    current = word
                }
            }
            out.append(current)
        }
        return out
    }
}
