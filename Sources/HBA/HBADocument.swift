/// A pg_hba.conf as a server of a given version would read it: every
/// record (of the file and of the files it includes) tokenized and parsed,
/// errors kept per line. Lossless: the original bytes are kept, and the
/// printer edits them in place.
public struct HBADocument: Sendable {
    public let path: String
    public let bytes: [UInt8]
    public let context: ParseContext
    public let lines: [ParsedLine]
    /// The rules the server would load, in evaluation order (computed once:
    /// the matcher reads them for every attempt).
    public let rules: [HBARule]
    /// Why a reload would keep the old rules (nil when it would load).
    public let loadProblem: String?

    public init(path: String, bytes: [UInt8], context: ParseContext, files: any FileSource = InMemoryFiles()) {
        // Each record is parsed as soon as it is read: no list of tokenized
        // records is held beside the parsed ones.
        let parser = LineParser(context: context)
        var lines: [ParsedLine] = []
        Tokenizer(syntax: context.syntax, files: files).tokenize(path: path, bytes: bytes) { lines.append(parser.parse($0)) }
        self.init(path: path, bytes: bytes, context: context, parsed: lines)
    }

    /// The same file (and the same included files, as read then) parsed in
    /// another context: with SSL on, say, between the phases. Tokens depend
    /// only on the syntax, so they are reused when it is the same.
    public func reparsed(in context: ParseContext, files: any FileSource) -> HBADocument {
        guard context.syntax == self.context.syntax else { return HBADocument(path: path, bytes: bytes, context: context, files: files) }
        return HBADocument(path: path, bytes: bytes, context: context, tokenized: lines.map(\.tokenized))
    }

    init(path: String, bytes: [UInt8], context: ParseContext, tokenized: [TokenizedLine]) {
        self.init(path: path, bytes: bytes, context: context, parsed: tokenized.map(LineParser(context: context).parse))
    }

    private init(path: String, bytes: [UInt8], context: ParseContext, parsed lines: [ParsedLine]) {
        self.path = path
        self.bytes = bytes
        self.context = context
        // Nearly every record is a rule: one allocation instead of doublings.
        var rules: [HBARule] = []
        rules.reserveCapacity(lines.count)
        var tally = LoadTally()
        for line in lines {
            if let rule = line.rule { rules.append(rule) }
            tally.count(line)
        }
        self.lines = lines
        self.rules = rules
        self.loadProblem = tally.problem(path: path)
    }

    /// Each line of the file (and of what it includes) parsed and handed
    /// over in turn, none kept: for a reader that only passes them on, such
    /// as `hba explain` of a large file. Returns what `loadProblem` of the
    /// document would be.
    public static func forEachLine(path: String, bytes: [UInt8], context: ParseContext, files: any FileSource,
                                   _ body: (ParsedLine) -> Void) -> String? {
        let parser = LineParser(context: context)
        var tally = LoadTally()
        Tokenizer(syntax: context.syntax, files: files).tokenize(path: path, bytes: bytes) { tokenized in
            let line = parser.parse(tokenized)
            tally.count(line)
            body(line)
        }
        return tally.problem(path: path)
    }

    public init(path: String, text: String, context: ParseContext, files: any FileSource = InMemoryFiles()) {
        self.init(path: path, bytes: Array(text.utf8), context: context, files: files)
    }

    /// Lines that would make the server refuse the whole file.
    public var failures: [ParsedLine] { lines.filter(\.isFailure) }

    /// What decides whether a reload would load the lines: the failures
    /// and the rules, counted as the lines go by.
    struct LoadTally {
        private var firstFailure: ParsedLine?
        private var failures = 0
        private var rules = 0

        mutating func count(_ line: ParsedLine) {
            if line.rule != nil { rules += 1 }
            guard line.isFailure else { return }
            if firstFailure == nil { firstFailure = line }
            failures += 1
        }

        /// Why a reload would keep the old rules (nil when it would load).
        func problem(path: String) -> String? {
            if let first = firstFailure {
                let more = failures > 1 ? " (and \(failures - 1) more)" : ""
                return "line \(first.lineNumber) of \(first.file): \(first.shownError ?? "invalid line (no message from the server)")\(more)"
            }
            if rules == 0 { return "configuration file \"\(path)\" contains no entries" }
            return nil
        }
    }

    public var isLoadable: Bool { loadProblem == nil }

    /// An error the server's `pg_hba_file_rules` reported for a line of this
    /// file (or of one it includes), as the wizard shows it: any piece of a
    /// secret it quotes masked, as in `ParsedLine.shownError`.
    public func shownServerError(_ error: String, lineNumber: Int, file: String?) -> String {
        let line = lines.first { $0.lineNumber == lineNumber && (file == nil || $0.file == file) }
        return SecretMasking.hidingInServerError(error, line: line)
    }

    /// The same for a server error when no parse of the file is at hand:
    /// quotations holding a secret-looking `name=` are masked.
    public static func shownServerError(_ error: String) -> String {
        SecretMasking.hidingInServerError(error, line: nil)
    }

    /// Lines with input PostgreSQL reads unpredictably (see TokenizedLine).
    public var hasUnpredictableLines: Bool { lines.contains { $0.tokenized.unpredictable } }
}
