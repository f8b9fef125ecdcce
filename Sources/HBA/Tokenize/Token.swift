/// A byte range in one file: where a token or a line came from.
public struct SourceSpan: Hashable, Sendable, Codable {
    public var file: String
    public var start: Int
    public var end: Int

    public init(file: String, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = end
    }
}

/// One token as PostgreSQL's tokenizer produces it: the text with quotes
/// removed, and whether a double quote came before its first character
/// (a quoted keyword is a plain name; docs/POSTGRES.md, "pg_hba.conf syntax").
public struct HBAToken: Hashable, Sendable, Codable {
    public var text: String
    public var quoted: Bool
    /// The raw token in its file; for a token read from an `@file`, the
    /// span of the `@name` token that pulled it in.
    public var span: SourceSpan
    /// The file an `@` list expanded this token from, if any.
    public var expandedFrom: String?

    public init(text: String, quoted: Bool, span: SourceSpan, expandedFrom: String? = nil) {
        self.text = text
        self.quoted = quoted
        self.span = span
        self.expandedFrom = expandedFrom
    }

    /// An unquoted keyword such as `all` or `replication`.
    public func isKeyword(_ keyword: String) -> Bool { !quoted && text == keyword }

    /// An unquoted `+role`: a membership check.
    public var isMembershipCheck: Bool { !quoted && text.hasPrefix("+") }
}

/// One record of a file: the fields (each a comma list of tokens) of a
/// logical line, or the error that stopped its tokenisation.
public struct TokenizedLine: Hashable, Sendable {
    public var file: String
    /// Number of the first physical line of the record.
    public var lineNumber: Int
    public var fields: [[HBAToken]]
    public var error: String?
    /// The physical lines, line terminators included.
    public var span: SourceSpan
    /// Our own diagnosis for input PostgreSQL reads unpredictably (NUL bytes):
    /// such a line is never claimed to match the server.
    public var unpredictable: Bool = false
}
