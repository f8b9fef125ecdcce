import ClusterFacts
import Foundation
/// pg_hba.conf can hold an LDAP bind password (`ldapbindpasswd`) and RADIUS
/// shared secrets (`radiussecrets`). Everything the hba commands print masks
/// their values; the rules and the rewritten bytes themselves keep them.
///
/// A misspelt option (`ldapbindpassword=`, `radiussecret=`, `LDAPBINDPASSWD=`)
/// fails the line, and the server's message quotes only its name: so every
/// option whose name looks like a secret has its value masked too, however
/// the token is quoted (`"ldapbindpasswd=se cret"`, `ldapbindpasswd="se cret"`)
/// and however far the value runs (`radiussecrets=a,b`).
enum SecretMasking {
    static let mask = "********"

    /// Lower-case parts of a name that make its value a secret. No real
    /// option of any version has one except the two secret options.
    static let secretNameParts = ["pass", "secret", "pwd"]

    /// `ldapbindpasswd`, `radiussecrets` and anything that looks like them,
    /// in any case.
    static func isSecretName<S: StringProtocol>(_ name: S) -> Bool {
        let lower = name.lowercased()
        return secretNameParts.contains { lower.contains($0) }
    }

    /// `name=value` with a secret-looking name.
    static func isSecretOption(_ text: String) -> Bool {
        guard let equals = text.firstIndex(of: "=") else { return false }
        return isSecretName(text[..<equals])
    }

    /// A view option such as `ldapbindpasswd=s3cret`, or one token of a line.
    static func option(_ text: String) -> String {
        guard let equals = text.firstIndex(of: "="), isSecretName(text[..<equals]) else { return text }
        return String(text[...equals]) + mask
    }

    /// The option tokens of a line as the lint quotes them. The server reads
    /// `radiussecrets=a,b` as two tokens of one field; every token after a
    /// secret one in the same field is part of the secret as written.
    static func options<S: Sequence>(_ fields: S) -> [String] where S.Element == [HBAToken] {
        fields.flatMap { field -> [String] in
            var afterSecret = false
            return field.map { token -> String in
                defer { afterSecret = afterSecret || isSecretOption(token.text) }
                return afterSecret ? mask : option(token.text)
            }
        }
    }

    /// The parts of a line's secrets as written, as a message could quote
    /// them: every token with a secret-looking name, wherever it stands (a
    /// line wrapped without a backslash puts `ldapbindpasswd=x` in the
    /// connection-type field), and its value; every token after it in the
    /// same field (its name and value too, when it has `=`); and, from the
    /// option fields on, the token that follows it in the next field
    /// (`ldapbindpasswd=se cret` leaves `cret` as a broken option, and
    /// `ldapbindpasswd=Top secret=6` an option named `secret`). The same
    /// reading as `options` and `text`.
    static func secretPieces<S: Sequence>(_ fields: S) -> Set<String> where S.Element == [HBAToken] {
        var pieces: Set<String> = []
        var nextTokenContinues = false
        for (index, field) in fields.enumerated() {
            var afterSecret = false
            for token in field {
                let text = token.text
                let equals = text.firstIndex(of: "=")
                let name = equals.map { String(text[..<$0]) }
                let value = equals.map { String(text[text.index(after: $0)...]) }
                if let name, isSecretName(name) {
                    pieces.insert(text)
                    if let value { pieces.insert(value) }
                    afterSecret = true
                    nextTokenContinues = index >= 4
                } else if afterSecret || nextTokenContinues {
                    pieces.insert(text)
                    if let name, let value {
                        pieces.insert(name)
                        pieces.insert(value)
                    }
                    // A bare token carries the value on; a `name=value` one ends it.
                    nextTokenContinues = index >= 4 && equals == nil
                } else {
                    nextTokenContinues = false
                }
            }
        }
        pieces.remove("")
        return pieces
    }

    /// A message about a line (the server's wording, or ours after it) with
    /// every quotation that could hold a secret masked whole: each `"..."`
    /// and the text after the message's last `: ` when nothing is quoted
    /// after it (`not in name=value format: cret`), when it contains one of
    /// the line's secret pieces or a secret-looking `name=`. The wording
    /// outside quotations is never touched; a quotation near a secret may be
    /// masked with it, which costs a detail of an error, never a secret.
    static func hiding(_ pieces: Set<String>, in message: String) -> String {
        func holdsSecret(_ quoted: Substring) -> Bool {
            if pieces.contains(where: { quoted.contains($0) }) { return true }
            guard let equals = quoted.firstIndex(of: "=") else { return false }
            return isSecretName(quoted[..<equals].split(whereSeparator: { $0 == " " || $0 == "\"" || $0 == "," }).last ?? "")
        }
        var shown = ""
        var rest = Substring(message)
        while let open = rest.firstIndex(of: "\""), let close = rest[rest.index(after: open)...].firstIndex(of: "\"") {
            let quoted = rest[rest.index(after: open)..<close]
            shown += rest[...open]
            shown += holdsSecret(quoted) ? mask : String(quoted)
            shown += "\""
            rest = rest[rest.index(after: close)...]
        }
        if let colon = rest.range(of: ": ", options: .backwards), holdsSecret(rest[colon.upperBound...]) {
            shown += rest[..<colon.upperBound]
            shown += mask
        } else {
            shown += rest
        }
        return shown
    }

    /// An error the server's own `pg_hba_file_rules` reported, as the wizard
    /// shows it: masked with the pieces of the same line as this document
    /// reads it, and with any secret-looking `name=` it quotes.
    static func hidingInServerError(_ error: String, line: ParsedLine?) -> String {
        hiding(line.map { secretPieces($0.tokenized.fields) } ?? [], in: error)
    }

    /// One raw line of a file (see `text`).
    static func line(_ text: String) -> String { Self.text(text) }

    /// Raw file text, line ends kept (so diffs of masked texts line up): each
    /// secret option's value is masked, read the way the server's tokenizer
    /// reads the line, so a line that does not parse is masked too.
    ///
    /// The masked value runs from after the first `=` of the token (a quote
    /// opened before it, as in `"ldapbindpasswd=se cret"`, stays open to the
    /// end of the token) through the rest of its comma list (`radiussecrets=a,b`),
    /// through any following tokens without `=` (`ldapbindpasswd=se cret` reads
    /// `cret` as a broken option: it belongs to the value as written), and to
    /// the end of the line when a comment starts inside the value
    /// (`ldapbindpasswd=ab#cd`). Backslash continuations (14+) are followed,
    /// and kept, so the masked text has the same lines.
    static func text(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "=")), mentionsSecretName(bytes) else { return text }
        var scanner = LineScanner(bytes: bytes)
        let replacements = scanner.secretValues()
        guard !replacements.isEmpty else { return text }
        var output: [UInt8] = []
        var copied = 0
        for replacement in replacements {
            output += scanner.bytes[copied..<replacement.range.lowerBound]
            output += replacement.bytes
            copied = replacement.range.upperBound
        }
        output += scanner.bytes[copied...]
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether any secret name part appears anywhere, in any ASCII case
    /// (lowercasing a whole file as Unicode and searching it as a string cost
    /// more than the rest of a plan's diff).
    static func mentionsSecretName(_ bytes: [UInt8]) -> Bool {
        secretNameParts.contains { ASCIISearch.contains(bytes, Array($0.utf8), caseFolded: true) }
    }

    /// The server's tokenizer (next_token / next_field_expand) over raw bytes,
    /// only as far as finding secret values goes.
    struct LineScanner {
        let bytes: [UInt8]
        var position = 0

        struct Replacement {
            var range: Range<Int>
            var bytes: [UInt8]
        }

        enum TokenEnd { case blank, comma, comment, lineEnd }

        struct RawToken {
            var text: [UInt8] = []
            /// Where the first `=` of the token's text is, and whether a
            /// quote was open there.
            var equals: (position: Int, inQuote: Bool)? = nil
            var end: Int
            var endedBy: TokenEnd = .lineEnd
        }

        init(bytes: [UInt8]) { self.bytes = bytes }

        static let backslash = UInt8(ascii: "\\"), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), hash = UInt8(ascii: "#"), equalsSign = UInt8(ascii: "=")

        static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

        /// After a backslash that ends a physical line (CRs before the
        /// newline allowed): where the logical line goes on.
        func continuationEnd(at index: Int) -> Int? {
            guard index < bytes.count, bytes[index] == Self.backslash else { return nil }
            var next = index + 1
            while next < bytes.count, bytes[next] == Self.carriageReturn { next += 1 }
            if next == bytes.count { return next }
            return bytes[next] == Self.newline ? next + 1 : nil
        }

        mutating func skipContinuations() {
            while let next = continuationEnd(at: position) { position = next }
        }

        /// At the end of the logical line: its newline (trailing CRs
        /// included, as the server strips them) or the end of the text.
        mutating func atLineEnd() -> Bool {
            skipContinuations()
            var index = position
            while index < bytes.count, bytes[index] == Self.carriageReturn { index += 1 }
            return index == bytes.count || bytes[index] == Self.newline
        }

        mutating func skipBlanksAndCommas() {
            while !atLineEnd(), Self.isBlank(bytes[position]) || bytes[position] == Self.comma { position += 1 }
        }

        /// The end of the logical line's text (before its line terminator).
        mutating func skipToLineEnd() -> Int {
            while !atLineEnd() { position += 1 }
            return position
        }

        /// next_token from `position` (blanks and commas already skipped).
        mutating func readToken() -> RawToken {
            var token = RawToken(end: position)
            var inQuote = false, wasQuote = false
            while true {
                if atLineEnd() { token.endedBy = .lineEnd; break }
                let byte = bytes[position]
                if !inQuote, Self.isBlank(byte) { token.endedBy = .blank; break }
                if !inQuote, byte == Self.hash { token.endedBy = .comment; break }
                if !inQuote, byte == Self.comma {
                    position += 1
                    token.endedBy = .comma
                    break
                }
                if byte != Self.quote || wasQuote {
                    if byte == Self.equalsSign, token.equals == nil { token.equals = (position, inQuote) }
                    token.text.append(byte)
                }
                wasQuote = inQuote && byte == Self.quote ? !wasQuote : false
                if byte == Self.quote { inQuote.toggle() }
                position += 1
                token.end = position
            }
            return token
        }

        func isSecret(_ token: RawToken) -> Bool {
            guard let equals = token.text.firstIndex(of: Self.equalsSign) else { return false }
            return SecretMasking.isSecretName(String(decoding: token.text[..<equals], as: UTF8.self))
        }

        /// Every secret value of the text, in order.
        mutating func secretValues() -> [Replacement] {
            var found: [Replacement] = []
            position = 0
            while position < bytes.count {
                var field = 0, fieldOpen = false
                while true {
                    skipBlanksAndCommas()
                    if atLineEnd() { break }
                    if bytes[position] == Self.hash {
                        _ = skipToLineEnd()
                        break
                    }
                    if !fieldOpen { field += 1 }
                    let token = readToken()
                    fieldOpen = token.endedBy == .comma
                    if isSecret(token), let equals = token.equals {
                        // Options come after type, database, user and method or
                        // address (field 5 on); there a token without `=` can only
                        // be a broken-off part of the value.
                        let end = valueEnd(after: token, takingBareTokens: field >= 5)
                        fieldOpen = false
                        if end > equals.position + 1 {
                            found.append(Replacement(range: equals.position + 1..<end,
                                                     bytes: masked(equals.position + 1..<end, closingQuote: equals.inQuote)))
                        }
                    } else if token.endedBy == .comment {
                        _ = skipToLineEnd()
                    }
                }
                // Past the line terminator.
                while position < bytes.count, bytes[position] != Self.newline { position += 1 }
                position += 1
            }
            return found
        }

        /// Where a secret value that starts in `token` ends; `position` is
        /// left after it.
        mutating func valueEnd(after token: RawToken, takingBareTokens: Bool) -> Int {
            var end = token.end
            var endedBy = token.endedBy
            while true {
                switch endedBy {
                case .lineEnd:
                    return end
                case .comment:
                    return skipToLineEnd()
                case .comma:
                    // The rest of the comma list.
                    skipBlanksAndCommas()
                    if atLineEnd() { return end }
                    if bytes[position] == Self.hash { return skipToLineEnd() }
                    let next = readToken()
                    end = next.end
                    endedBy = next.endedBy
                case .blank:
                    // A following token without `=`, if any.
                    guard takingBareTokens else { return end }
                    let saved = position
                    skipBlanksAndCommas()
                    if atLineEnd() || bytes[position] == Self.hash {
                        position = saved
                        return end
                    }
                    let next = readToken()
                    if next.equals != nil {
                        position = saved
                        return end
                    }
                    end = next.end
                    endedBy = next.endedBy
                }
            }
        }

        /// The mask for `range`, with the continuations inside it kept
        /// (so the line count stays) and a quote opened before it closed.
        func masked(_ range: Range<Int>, closingQuote: Bool) -> [UInt8] {
            var result = Array(SecretMasking.mask.utf8)
            if closingQuote { result.append(Self.quote) }
            var index = range.lowerBound
            while index < range.upperBound {
                if let next = continuationEnd(at: index), next <= range.upperBound {
                    result += bytes[index..<next]
                    index = next
                } else {
                    index += 1
                }
            }
            return result
        }
    }
}
