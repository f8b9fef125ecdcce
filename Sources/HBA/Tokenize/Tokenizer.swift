/// PostgreSQL's pg_hba.conf tokenizer (tokenize_auth_file / next_token /
/// next_field_expand), version by version. Pure: included files are read
/// through the `FileSource`.
public struct Tokenizer: Sendable {
    public let syntax: ServerSyntax
    public let files: any FileSource

    public init(syntax: ServerSyntax, files: any FileSource = InMemoryFiles()) {
        self.syntax = syntax
        self.files = files
    }

    /// Tokenizes the top-level file `path` whose bytes are given.
    public func tokenize(path: String, bytes: [UInt8]) -> [TokenizedLine] {
        var lines: [TokenizedLine] = []
        tokenize(path: path, bytes: bytes) { lines.append($0) }
        return lines
    }

    /// The same records, each handed over as soon as it is read (with the
    /// records of included files in their place): a caller that parses
    /// them at once never holds them all.
    public func tokenize(path: String, bytes: [UInt8], each line: (TokenizedLine) -> Void) {
        tokenizeFile(path: path, bytes: bytes, depth: 0, into: line)
    }

    // MARK: - Lines

    /// A logical line: its bytes, and where each physical line's part of
    /// them starts in the file (one part unless lines were continued).
    struct LogicalLine {
        var bytes: [UInt8] = []
        /// (index in `bytes`, offset in the file) at the start of each physical line's bytes.
        var parts: [(index: Int, offset: Int)] = []
        var start = 0
        var end = 0
        var firstLine = 1
        var physicalLines = 1
        var tooLong = false

        /// Where the byte at `index` of the logical line stands in the file.
        func fileOffset(_ index: Int) -> Int {
            var part = parts[0]
            for candidate in parts.dropFirst() where candidate.index <= index { part = candidate }
            return part.offset + (index - part.index)
        }
    }

    /// Every logical line of `bytes` in turn, in one buffer reused from
    /// line to line (a line and its parts used to be two arrays each).
    func forEachLogicalLine(_ bytes: [UInt8], _ body: (LogicalLine) -> Void) {
        var line = LogicalLine()
        var position = 0
        var lineNumber = 1
        while position < bytes.count {
            line.bytes.removeAll(keepingCapacity: true)
            line.parts.removeAll(keepingCapacity: true)
            line.start = position
            line.firstLine = lineNumber
            line.tooLong = false
            var continuations = 0
            var lastBackslashLength = 0
            while position < bytes.count {
                // One physical line (13: at most 8191 bytes, as fgets reads it).
                var end = position
                let limit = syntax.maxLineBytes.map { position + $0 } ?? Int.max
                while end < bytes.count, end < limit, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                if end < bytes.count, end < limit, bytes[end] == UInt8(ascii: "\n") { end += 1 }
                if let maxLine = syntax.maxLineBytes, end - position == maxLine {
                    line.tooLong = true
                }
                line.parts.append((index: line.bytes.count, offset: position))
                line.bytes.append(contentsOf: bytes[position..<end])
                position = end
                // Strip trailing CR / LF (pg_strip_crlf).
                while let last = line.bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
                    line.bytes.removeLast()
                }
                guard syntax.hasLineContinuation, line.bytes.count > lastBackslashLength,
                      line.bytes.last == UInt8(ascii: "\\") else { break }
                line.bytes.removeLast()
                lastBackslashLength = line.bytes.count
                continuations += 1
            }
            line.end = position
            line.physicalLines = continuations + 1
            body(line)
            lineNumber += continuations + 1
        }
    }

    func tokenizeFile(path: String, bytes: [UInt8], depth: Int, into lines: (TokenizedLine) -> Void) {
        // Scratch space for one line's fields and one token's bytes, reused:
        // each line keeps an exact copy of its fields.
        var fields: [[HBAToken]] = []
        var token: [UInt8] = []
        let origin = TokenOrigin(file: path, expandedFrom: nil)
        forEachLogicalLine(bytes) { logical in
            let span = SourceSpan(file: path, start: logical.start, end: logical.end)
            if logical.bytes.contains(0) {
                lines(TokenizedLine(file: path, lineNumber: logical.firstLine, fields: [],
                                    error: "line contains a NUL byte", span: span, unpredictable: true))
                return
            }
            var error: String? = logical.tooLong ? "authentication file line too long" : nil
            fields.removeAll(keepingCapacity: true)
            var cursor = 0
            while cursor < logical.bytes.count, error == nil {
                let field = nextField(logical, cursor: &cursor, token: &token, origin: origin, depth: depth, error: &error)
                if !field.isEmpty { fields.append(field) }
            }
            if fields.isEmpty, error == nil { return }
            if error == nil, syntax.hasIncludeDirectives, fields.count == 2,
               let directive = IncludeDirective(rawValue: fields[0][0].text) {
                let target = fields[1][0].text
                if let failure = include(directive, target: target, from: path, depth: depth, into: lines) {
                    error = failure
                } else {
                    return
                }
            }
            lines(TokenizedLine(file: path, lineNumber: logical.firstLine, fields: Array(fields), error: error, span: span))
        }
    }

    // MARK: - Tokens

    /// A token read into the caller's buffer: where it stands in the file.
    struct RawToken {
        var initialQuote: Bool
        var terminatingComma: Bool
        var start: Int
        var end: Int
    }

    /// next_token: nil at end of line; sets `error` when a token is too
    /// long. The token's bytes (quotes removed) are left in `token`.
    func nextToken(_ line: LogicalLine, cursor: inout Int, token: inout [UInt8], error: inout String?) -> RawToken? {
        let bytes = line.bytes
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
        while cursor < bytes.count, isBlank(bytes[cursor]) || bytes[cursor] == UInt8(ascii: ",") { cursor += 1 }
        token.removeAll(keepingCapacity: true)
        var inQuote = false, wasQuote = false, sawQuote = false
        var initialQuote = false, terminatingComma = false
        let start = cursor
        var end = cursor
        while cursor < bytes.count, !isBlank(bytes[cursor]) || inQuote {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "#"), !inQuote {
                cursor = bytes.count
                break
            }
            if let limit = syntax.maxTokenBytes, token.count >= limit {
                error = "authentication file token too long"
                cursor = bytes.count
                return nil
            }
            if byte == UInt8(ascii: ","), !inQuote {
                terminatingComma = true
                break
            }
            if byte != UInt8(ascii: "\"") || wasQuote { token.append(byte) }
            wasQuote = inQuote && byte == UInt8(ascii: "\"") ? !wasQuote : false
            if byte == UInt8(ascii: "\"") {
                inQuote.toggle()
                sawQuote = true
                if token.isEmpty { initialQuote = true }
            }
            cursor += 1
            end = cursor
        }
        guard sawQuote || !token.isEmpty else { return nil }
        let fileStart = line.fileOffset(start)
        let fileEnd = end > start ? line.fileOffset(end - 1) + 1 : fileStart
        return RawToken(initialQuote: initialQuote, terminatingComma: terminatingComma, start: fileStart, end: fileEnd)
    }

    /// next_field_expand: a comma list, with `@file` lists spliced in.
    func nextField(_ line: LogicalLine, cursor: inout Int, token: inout [UInt8], origin: TokenOrigin, depth: Int,
                   error: inout String?) -> [HBAToken] {
        var tokens: [HBAToken] = []
        repeat {
            guard let raw = nextToken(line, cursor: &cursor, token: &token, error: &error) else { break }
            let text = String(decoding: token, as: UTF8.self)
            if !raw.initialQuote, token.count > 1, token[0] == UInt8(ascii: "@") {
                let span = SourceSpan(file: origin.file, start: raw.start, end: raw.end)
                // The name after the `@` byte (not after the first character: a mark may follow the `@`).
                tokens += expandAtFile(String(decoding: token.dropFirst(), as: UTF8.self), from: origin.file, span: span,
                                       depth: depth + 1, error: &error)
            } else {
                tokens.append(HBAToken(text: text, quoted: raw.initialQuote, start: raw.start, end: raw.end, origin: origin))
            }
            if !raw.terminatingComma { break }
        } while error == nil
        return tokens
    }

    /// tokenize_inc_file / tokenize_expand_file: every token of every line of
    /// the named file, in order; the first line error stops it.
    func expandAtFile(_ name: String, from outer: String, span: SourceSpan, depth: Int, error: inout String?) -> [HBAToken] {
        let path = ConfigPath.resolve(name, relativeTo: outer)
        if syntax.hasUnifiedFileErrors, depth > syntax.maxIncludeDepth {
            error = "could not open file \"\(path)\": maximum nesting depth exceeded"
            return []
        }
        if !syntax.hasUnifiedFileErrors, depth > 64 {
            // Older servers recurse without a bound and crash; we stop and say so.
            error = "@-file inclusion of \"\(path)\" recurses without end"
            return []
        }
        switch files.read(path) {
        case .failure(let reason, _):
            error = syntax.hasUnifiedFileErrors
                ? "could not open file \"\(path)\": \(reason)"
                : "could not open secondary authentication file \"@\(name)\" as \"\(path)\": \(reason)"
            return []
        case .contents(let bytes):
            var included: [TokenizedLine] = []
            tokenizeFile(path: path, bytes: bytes, depth: depth) { included.append($0) }
            var tokens: [HBAToken] = []
            // Each token now stands at the `@name` that pulled it in.
            let listed = TokenOrigin(file: span.file, expandedFrom: path)
            for line in included {
                if let lineError = line.error {
                    error = lineError
                    break
                }
                for field in line.fields {
                    for token in field {
                        let origin = token.expandedFrom.map { TokenOrigin(file: span.file, expandedFrom: $0) } ?? listed
                        tokens.append(token.moved(to: span.start, span.end, origin: origin))
                    }
                }
            }
            return tokens
        }
    }

    // MARK: - include directives (16+)

    enum IncludeDirective: String {
        case include, includeIfExists = "include_if_exists", includeDir = "include_dir"
    }

    /// Reads included file(s) into `lines`; returns the error for the include line, if any.
    func include(_ directive: IncludeDirective, target: String, from outer: String, depth: Int,
                 into lines: (TokenizedLine) -> Void) -> String? {
        switch directive {
        case .include, .includeIfExists:
            return includeFile(ConfigPath.resolve(target, relativeTo: outer), depth: depth + 1,
                               missingOK: directive == .includeIfExists, into: lines)
        case .includeDir:
            let directory = ConfigPath.resolve(target, relativeTo: outer)
            switch files.list(directory) {
            case .failure:
                // The view's error column has no strerror (only the log line does).
                return "could not open directory \"\(directory)\""
            case .success(let names):
                let chosen = names.filter { !$0.hasPrefix(".") && $0.hasSuffix(".conf") }
                    .map { directory + "/" + $0 }
                    .filter { files.isRegularFile($0) }
                    .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                var errors: [String] = []
                for path in chosen {
                    if let failure = includeFile(path, depth: depth + 1, missingOK: false, into: lines) { errors.append(failure) }
                }
                return errors.isEmpty ? nil : errors.joined(separator: "\n")
            }
        }
    }

    private func includeFile(_ path: String, depth: Int, missingOK: Bool, into lines: (TokenizedLine) -> Void) -> String? {
        if depth > syntax.maxIncludeDepth { return "could not open file \"\(path)\": maximum nesting depth exceeded" }
        switch files.read(path) {
        case .failure(let reason, let missing):
            return missing && missingOK ? nil : "could not open file \"\(path)\": \(reason)"
        case .contents(let bytes):
            tokenizeFile(path: path, bytes: bytes, depth: depth, into: lines)
            return nil
        }
    }
}
