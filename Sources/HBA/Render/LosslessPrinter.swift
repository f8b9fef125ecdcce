/// A replacement of a byte range in one file.
public struct TextEdit: Hashable, Sendable {
    public var span: SourceSpan
    public var replacement: [UInt8]

    public init(span: SourceSpan, replacement: [UInt8]) {
        self.span = span
        self.replacement = replacement
    }
}

/// Prints a file back from its original bytes plus edits: with no edits the
/// output is byte-identical, and an edit touches only its own bytes.
public enum LosslessPrinter {
    public static func apply(_ edits: [TextEdit], to bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + edits.count * 8)
        var cursor = 0
        // The same line reached twice (a file that includes itself) brings
        // the same edit twice: one is enough. Sorted so that equal edits are
        // neighbours (no hashing of thousands of edits to find them).
        // An insertion (empty span) at the start of an edited token goes first.
        let ordered = edits.sorted { left, right in
            (left.span.start, left.span.end) != (right.span.start, right.span.end)
                ? (left.span.start, left.span.end) < (right.span.start, right.span.end)
                : left.replacement.lexicographicallyPrecedes(right.replacement)
        }
        for (index, edit) in ordered.enumerated() where index == 0 || ordered[index - 1] != edit {
            precondition(edit.span.start >= cursor && edit.span.end <= bytes.count, "overlapping edits")
            output.append(contentsOf: bytes[cursor..<edit.span.start])
            output.append(contentsOf: edit.replacement)
            cursor = edit.span.end
        }
        output.append(contentsOf: bytes[cursor...])
        return output
    }

    /// Display column after `bytes` (tabs to multiples of 8, UTF-8 aware).
    static func column(of bytes: ArraySlice<UInt8>, startingAt start: Int = 0) -> Int {
        var column = start
        for byte in bytes {
            if byte == 0x09 { column = (column / 8 + 1) * 8 }
            else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return column
    }

    /// Replaces the token at `span` and re-spaces the blanks after it so the
    /// next field keeps its column when that is possible.
    static func replaceKeepingColumns(_ span: SourceSpan, with text: String, in bytes: [UInt8]) -> TextEdit {
        var lineStart = span.start
        while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        var blankEnd = span.end
        while blankEnd < bytes.count, bytes[blankEnd] == 0x20 || bytes[blankEnd] == 0x09 { blankEnd += 1 }
        let replacement = Array(text.utf8)
        let atLineEnd = blankEnd >= bytes.count || bytes[blankEnd] == 0x0A || bytes[blankEnd] == 0x0D
        guard blankEnd > span.end, !atLineEnd else {
            return TextEdit(span: span, replacement: replacement)
        }
        let target = column(of: bytes[lineStart..<blankEnd])
        let after = column(of: bytes[lineStart..<span.start] + replacement[...])
        let oldBlanks = bytes[span.end..<blankEnd]
        var blanks: [UInt8]
        if oldBlanks.contains(0x09) {
            // Tabs: as many as reach the old column, when that lands exactly.
            var column = after
            blanks = []
            while column < target {
                column = (column / 8 + 1) * 8
                blanks.append(0x09)
            }
            if column != target || blanks.isEmpty { blanks = Array(oldBlanks) }
        } else {
            blanks = Array(repeating: 0x20, count: max(1, target - after))
        }
        return TextEdit(span: SourceSpan(file: span.file, start: span.start, end: blankEnd), replacement: replacement + blanks)
    }
}
