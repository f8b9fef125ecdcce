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
