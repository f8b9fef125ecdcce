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
///
/// Kept small (a large file has tens of thousands): the file name and the
/// `@` file a token came from are one shared reference, not two strings in
/// every token.
public struct HBAToken: Hashable, Sendable, Codable {
    public var text: String
    private var start: Int
    private var end: Int
    private var origin: TokenOrigin
    public var quoted: Bool

    /// The raw token in its file; for a token read from an `@file`, the
    /// span of the `@name` token that pulled it in.
    public var span: SourceSpan {
        get { SourceSpan(file: origin.file, start: start, end: end) }
        set {
            start = newValue.start
            end = newValue.end
            if newValue.file != origin.file { origin = TokenOrigin(file: newValue.file, expandedFrom: origin.expandedFrom) }
        }
    }

    /// The file an `@` list expanded this token from, if any.
    public var expandedFrom: String? {
        get { origin.expandedFrom }
        set { if newValue != origin.expandedFrom { origin = TokenOrigin(file: origin.file, expandedFrom: newValue) } }
    }

    public init(text: String, quoted: Bool, span: SourceSpan, expandedFrom: String? = nil) {
        self.init(text: text, quoted: quoted, start: span.start, end: span.end,
                  origin: TokenOrigin(file: span.file, expandedFrom: expandedFrom))
    }

    /// A token of a file whose origin the tokenizer made once for all of them.
    init(text: String, quoted: Bool, start: Int, end: Int, origin: TokenOrigin) {
        self.text = text
        self.quoted = quoted
        self.start = start
        self.end = end
        self.origin = origin
    }

    /// The same token at another place (an `@` file's token at its `@name`).
    func moved(to start: Int, _ end: Int, origin: TokenOrigin) -> HBAToken {
        HBAToken(text: text, quoted: quoted, start: start, end: end, origin: origin)
    }

    /// An unquoted keyword such as `all` or `replication`.
    public func isKeyword(_ keyword: String) -> Bool { !quoted && text == keyword }

    /// An unquoted `+role`: a membership check.
    public var isMembershipCheck: Bool { !quoted && leadingByte == UInt8(ascii: "+") }

    /// The first byte, as the server's `string[0]` reads it: a `+` or `/`
    /// with a combining mark after it is one character to Swift, but still
    /// a `+` or a `/` to the server.
    public var leadingByte: UInt8? { text.utf8.first }

    /// The text after a leading ASCII `+` or `/`: a role name, a pattern.
    public var textAfterLeadingByte: String { String(Substring(text.utf8.dropFirst())) }

    public static func == (left: HBAToken, right: HBAToken) -> Bool {
        left.text == right.text && left.quoted == right.quoted && left.start == right.start && left.end == right.end
            && (left.origin === right.origin || left.origin == right.origin)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(quoted)
        hasher.combine(start)
        hasher.combine(end)
        hasher.combine(origin)
    }

    // The coded form names every field, as before the token was made small.
    private enum CodingKeys: String, CodingKey { case text, quoted, span, expandedFrom }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(text: try container.decode(String.self, forKey: .text), quoted: try container.decode(Bool.self, forKey: .quoted),
                  span: try container.decode(SourceSpan.self, forKey: .span),
                  expandedFrom: try container.decodeIfPresent(String.self, forKey: .expandedFrom))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(quoted, forKey: .quoted)
        try container.encode(span, forKey: .span)
        try container.encodeIfPresent(expandedFrom, forKey: .expandedFrom)
    }
}

/// Where tokens came from: their file, and the `@` file that listed them.
/// One per file read, shared by its tokens; never changed once made.
final class TokenOrigin: Hashable, Sendable {
    let file: String
    let expandedFrom: String?

    init(file: String, expandedFrom: String?) {
        self.file = file
        self.expandedFrom = expandedFrom
    }

    static func == (left: TokenOrigin, right: TokenOrigin) -> Bool {
        left.file == right.file && left.expandedFrom == right.expandedFrom
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(file)
        hasher.combine(expandedFrom)
    }
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
