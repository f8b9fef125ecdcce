/// The one text layout of every pane: lines wrapped at spaces, tokens kept
/// whole (paths, SQL identifiers, quoted strings with their spaces), a
/// token longer than a row broken after a `/` or `,` where it can be and
/// the break marked, continuation rows indented under the line's text.
enum TextLayout {
    /// Marks a token broken across rows (ASCII frames get an ASCII mark).
    static func marker(unicode: Bool) -> String { unicode ? "↩" : "\\" }

    private struct Glyph {
        var character: Character
        var style: Style
    }

    /// `hanging`: how much deeper than the line's own indent continuation
    /// rows start (2 for list-like pane lines, 0 for prose paragraphs).
    static func wrap(_ line: Line, width: Int, unicode: Bool = true, hanging extra: Int = 2) -> [Line] {
        let text = line.text
        guard width > 8, text.count > width else { return [line] }
        let glyphs = line.spans.flatMap { span in span.text.map { Glyph(character: $0, style: span.style) } }
        // A deeper indent than half a row is not kept: a row must hold text.
        let lead = min(glyphs.prefix { $0.character == " " }.count, width / 2)
        let hanging = min(lead + extra, width / 2)
        let mark = Array(marker(unicode: unicode))
        var rows: [[Glyph]] = []
        var row: [Glyph] = Array(repeating: Glyph(character: " ", style: glyphs.first?.style ?? .plain), count: lead)
        var rowHasText = false

        func newRow() {
            rows.append(row)
            row = Array(repeating: Glyph(character: " ", style: .plain), count: hanging)
            rowHasText = false
        }

        for token in tokens(Array(glyphs.drop { $0.character == " " })) {
            let gap = rowHasText ? token.gap : []
            if row.count + gap.count + token.word.count <= width {
                row += gap + token.word
                rowHasText = true
                continue
            }
            if token.word.count <= width - hanging {
                newRow()
                row += token.word
                rowHasText = true
                continue
            }
            // Longer than any row: fill this row (or a fresh one), break after a / or , if there is one, mark it.
            var rest = token.word[...]
            if rowHasText {
                if width - row.count - gap.count - mark.count >= 8 { row += gap } else { newRow() }
            }
            while row.count + rest.count > width {
                let room = width - row.count - mark.count
                var cut = room
                // After the last / or , that fits (not the very first character: "/" alone says nothing).
                if let separator = rest.prefix(room).lastIndex(where: { $0.character == "/" || $0.character == "," }),
                   separator > rest.startIndex {
                    cut = separator - rest.startIndex + 1
                }
                row += rest.prefix(cut) + mark.map { Glyph(character: $0, style: Style(.dim)) }
                rest = rest.dropFirst(cut)
                rowHasText = true
                newRow()
            }
            row += rest
            rowHasText = true
        }
        rows.append(row)
        return rows.map(line(from:))
    }

    /// Prose in paragraphs (blank lines kept), laid out the same way, flush left.
    static func lines(_ text: String, width: Int, style: Style = .plain, unicode: Bool = true) -> [Line] {
        text.components(separatedBy: "\n").flatMap { wrap(Line($0, style), width: width, unicode: unicode, hanging: 0) }
    }

    private struct Token {
        var gap: [Glyph]
        var word: [Glyph]
    }

    /// Words with the blanks before them. A quote opening a word (or after
    /// `=` or `(`) runs to its match, blanks included: `'root ca.crt'` is one token.
    private static func tokens(_ glyphs: [Glyph]) -> [Token] {
        var tokens: [Token] = []
        var gap: [Glyph] = []
        var word: [Glyph] = []
        var quote: Character?
        for (index, glyph) in glyphs.enumerated() {
            let character = glyph.character
            if let open = quote {
                word.append(glyph)
                let next = index + 1 < glyphs.count ? glyphs[index + 1].character : " "
                if character == open && (next == " " || ",;:.)".contains(next)) { quote = nil }
                continue
            }
            if character == " " {
                if !word.isEmpty {
                    tokens.append(Token(gap: gap, word: word))
                    gap = []
                    word = []
                }
                gap.append(glyph)
                continue
            }
            if character == "'" || character == "\"" {
                let previous = word.last?.character
                if previous == nil || previous == "=" || previous == "(" { quote = character }
            }
            word.append(glyph)
        }
        if !word.isEmpty { tokens.append(Token(gap: gap, word: word)) }
        return tokens
    }

    private static func line(from glyphs: [Glyph]) -> Line {
        var spans: [Span] = []
        for glyph in glyphs {
            if let last = spans.last, last.style == glyph.style {
                spans[spans.count - 1].text.append(glyph.character)
            } else {
                spans.append(Span(String(glyph.character), glyph.style))
            }
        }
        return Line(spans: spans)
    }
}
