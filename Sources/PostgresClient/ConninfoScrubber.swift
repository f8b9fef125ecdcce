import Foundation

/// libpq quotes the operator's connection string in some errors: a malformed
/// URI comes back whole, `user:password@` included. Every message that comes
/// from parsing or connecting with that string passes through here before
/// it can reach a screen, a log, a journal or a report.
enum ConninfoScrubber {
    static let mask = "********"

    /// `scheme://user:secret@` -> `scheme://user:********@`. The user and the
    /// password may hold spaces and quotes (libpq takes everything up to the
    /// `@`). A password with `/` is taken when no `?` comes before the `@`
    /// (libpq then reads no password at all, but the text to its `@` is one as
    /// written), and one with further `@`s runs to the last `@` before the
    /// host (libpq stops at the first).
    static let uriPassword = try! NSRegularExpression(
        pattern: #"(postgres(?:ql)?://[^:@/\n]*):((?:[^@/\n]*|[^@/?\n]*/[^@?\n]*)(?:@[^@/?\s]*(?=@))*)@"#,
        options: [.caseInsensitive])
    /// `password=secret`, `password = 'sec ret'`, `sslpassword=se\ cret`,
    /// `password="sec ret"` (libpq knows no double quotes, but the value is
    /// one as written) and misspelt names such as `passwd=` or `pwd=`. Single
    /// quotes and unquoted values take backslash escapes, as libpq reads them.
    static let keywordPassword = try! NSRegularExpression(
        pattern: #"((?<![A-Za-z0-9_])[A-Za-z_]*(?:passw|secret|pwd)[A-Za-z_]*\s*=\s*)('(?:[^'\\]|\\.)*'?|"[^"\n]*"|(?:[^\s\\]|\\.)*\\?)"#,
        options: [.caseInsensitive])

    /// A keyword whose value is a secret (`password`, `sslpassword`).
    static func isSecretKeyword(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["passw", "secret", "pwd"].contains { lower.contains($0) }
    }

    /// The values of secret keywords among the wizard's overrides, for
    /// `extraSecrets`.
    static func secrets(of overrides: [ConnectionTarget.Keyword]) -> [String] {
        overrides.filter { isSecretKeyword($0.name) }.map(\.value)
    }

    static func scrub(_ message: String, conninfo: String, extraSecrets: [String] = []) -> String {
        // Nothing to hide and nothing the patterns could take for a secret
        // (every connection describes its target through here).
        if extraSecrets.isEmpty, !mayHoldSecret(message), secrets(in: conninfo).isEmpty { return message }
        return scrubInWhole(message, conninfo: conninfo, extraSecrets: extraSecrets)
    }

    /// `scrub` without the shortcut (its tests compare the two).
    static func scrubInWhole(_ message: String, conninfo: String, extraSecrets: [String] = []) -> String {
        var text = replace(uriPassword, in: message, with: "$1:\(mask)@")
        // The secrets themselves, read from the raw string the same way,
        // wherever they stand apart from letters and digits (as libpq quotes
        // them), so a short one cannot mangle words. Longest first, so a part
        // never breaks up the whole; before the keyword pattern, which could
        // break up one that holds `password=`.
        let candidates = Set(secretsInWhole(conninfo) + extraSecrets.flatMap(variants))
            .filter { !$0.isEmpty && $0 != mask }
            .sorted { ($0.count, $0) > ($1.count, $1) }
        for secret in candidates {
            let escaped = NSRegularExpression.escapedPattern(for: secret)
            guard let standalone = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9])" + escaped + "(?![A-Za-z0-9])") else { continue }
            text = replace(standalone, in: text, with: NSRegularExpression.escapedTemplate(for: mask))
        }
        // Whatever a value was that the raw string did not show as one.
        return replace(keywordPassword, in: text, with: "$1\(mask)")
    }

    /// Password values as they appear in the raw string (URI userinfo, or a
    /// password keyword, quoted or not), as libpq reads them (unescaped,
    /// percent-decoded) and, where libpq splits what was written as one value
    /// (an unencoded `@` or `/` in a URI password, a blank in a value), the
    /// parts it makes of it. Values that are connection strings themselves
    /// (`dbname='host=h password=x'`, shown unescaped in descriptions) are
    /// read the same way.
    static func secrets(in conninfo: String, depth: Int = 0) -> [String] {
        // Every connection asks (`carriesPassword`); most strings name no
        // secret at all, and compiling the patterns is the dearest part.
        guard depth > 0 || mayHoldSecret(conninfo) else { return [] }
        return secretsInWhole(conninfo, depth: depth)
    }

    /// False only when nothing below could find a secret: ASCII text with
    /// no backslash, no `://` and no `passw`, `secret` or `pwd` in any case.
    /// Text with other characters always goes the whole way: the patterns
    /// fold case as Unicode does (`ſ` is an `s`, `ß` is `ss`), and libpq's
    /// unescaping makes `1pass\word=x` a value that names a password.
    static func mayHoldSecret(_ conninfo: String) -> Bool {
        guard conninfo.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\\") }) else { return true }
        let lower = conninfo.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }
        return ["://", "passw", "secret", "pwd"].contains { lower.firstRange(of: Array($0.utf8)) != nil }
    }

    /// `secrets(in:)` without the shortcut (its tests compare the two).
    static func secretsInWhole(_ conninfo: String, depth: Int = 0) -> [String] {
        var found: [String] = []
        let whole = NSRange(conninfo.startIndex..., in: conninfo)
        for match in uriPassword.matches(in: conninfo, range: whole) {
            guard let range = Range(match.range(at: 2), in: conninfo) else { continue }
            let written = String(conninfo[range])
            found += variants(written)
            // libpq's own password: up to the first `@` (none if a `/` comes first).
            let libpq = String(written.prefix { $0 != "@" })
            if !libpq.contains("/") { found += variants(libpq) }
            found += parts(of: written, splitAt: { $0 == "@" || $0 == "/" }).flatMap(variants)
        }
        for match in keywordPassword.matches(in: conninfo, range: whole) {
            guard let range = Range(match.range(at: 2), in: conninfo) else { continue }
            let value = String(conninfo[range])
            found += variants(value)
            if value.hasPrefix("'") {
                found += variants(unescaped(value.dropFirst(), quoted: true))
            } else if !value.hasPrefix("\"") {
                found += variants(unescaped(Substring(value), quoted: false))
                // In a URI's query the value ends at `&`.
                found += variants(String(value.prefix { $0 != "&" }))
            }
            // The words after the value up to the next `name=` (libpq: missing
            // "=" after "cret", or invalid connection option "cret"): the rest
            // of the secret as written, as in `password=se cret` or `"se cret"`.
            for word in conninfo[range.upperBound...].split(whereSeparator: isSpace) {
                guard !word.contains("=") else { break }
                if word.count >= 2 { found += variants(String(word)) }
            }
        }
        // As libpq reads keyword=value pairs: a blank ends an unquoted value,
        // and the words after it (libpq: missing "=" after "cret") are the
        // rest of the secret as written.
        found += uriQuerySecrets(conninfo)
        var afterSecret = false
        for (name, value) in keywords(in: conninfo) {
            if let name, isSecretKeyword(name) {
                found += variants(value)
                afterSecret = true
            } else if name == nil, afterSecret {
                if value.count >= 2 { found += variants(value) }
            } else {
                afterSecret = false
            }
            if depth < 3, value.contains("=") || value.contains("://") { found += secrets(in: value, depth: depth + 1) }
        }
        return found.filter { !$0.isEmpty && $0 != "'" && $0 != "''" && $0 != "\"" && $0 != "\"\"" }
    }

    /// The values of a URI's query parameters whose names, percent-decoded
    /// as libpq decodes them, name a secret: `?pass%77ord=x` is a password
    /// to libpq although no pattern sees one as written (found by a review).
    /// On the bytes, as libpq splits it (a mark after `?`, `&` or `=` hides
    /// none of them).
    static func uriQuerySecrets(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        guard let scheme = bytes.firstRange(of: Array("://".utf8)),
              let question = bytes[scheme.upperBound...].firstIndex(of: UInt8(ascii: "?")) else { return [] }
        var found: [String] = []
        for parameter in bytes[(question + 1)...].split(separator: UInt8(ascii: "&")) {
            guard let equals = parameter.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let written = String(decoding: parameter[..<equals], as: UTF8.self)
            let name = written.removingPercentEncoding ?? written
            if isSecretKeyword(name) { found += variants(String(decoding: parameter[(equals + 1)...], as: UTF8.self)) }
        }
        return found
    }

    /// libpq's conninfo_parse, without stopping at errors: each `name=value`
    /// (the value unescaped as libpq reads it) and each word without `=`
    /// after it (where libpq stops: missing "=" after "word").
    static func keywords(in text: String) -> [(name: String?, value: String)] {
        var result: [(name: String?, value: String)] = []
        let characters = Array(text)
        var index = 0
        func skipSpace() { while index < characters.count, isSpace(characters[index]) { index += 1 } }
        while true {
            skipSpace()
            guard index < characters.count else { break }
            var name = ""
            while index < characters.count, characters[index] != "=", !isSpace(characters[index]) {
                name.append(characters[index])
                index += 1
            }
            skipSpace()
            guard index < characters.count, characters[index] == "=" else {
                result.append((name: nil, value: name))
                continue
            }
            index += 1
            skipSpace()
            var value = ""
            let quoted = index < characters.count && characters[index] == "'"
            if quoted { index += 1 }
            while index < characters.count, quoted ? characters[index] != "'" : !isSpace(characters[index]) {
                if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                value.append(characters[index])
                index += 1
            }
            if quoted { index += 1 }
            result.append((name: name, value: value))
        }
        return result
    }

    /// libpq's isspace: a blank ends an unquoted value or keyword.
    static func isSpace(_ character: Character) -> Bool { character.isASCII && character.isWhitespace }

    /// A secret as written, percent-decoded, without surrounding quotes, and
    /// the words of each (a message may quote a single word of it).
    static func variants(_ secret: String) -> [String] {
        var result = [secret]
        if let decoded = secret.removingPercentEncoding, decoded != secret { result.append(decoded) }
        for quote: Character in ["\"", "'"] where secret.count >= 2 && secret.first == quote && secret.last == quote {
            result.append(String(secret.dropFirst().dropLast()))
        }
        return result + result.flatMap { parts(of: $0, splitAt: isSpace) }
    }

    /// The parts of a value libpq splits where `splitAt` says: two characters
    /// or more (a lone one would mask every such word in a message); none
    /// when there is nothing to split.
    static func parts(of value: String, splitAt isSeparator: (Character) -> Bool) -> [String] {
        let split = value.split(whereSeparator: isSeparator).map(String.init)
        guard split.count > 1 else { return [] }
        return split.filter { $0.count >= 2 }
    }

    /// libpq's reading of a value: a backslash takes the next character as
    /// it is; a quoted value ends at its first unescaped quote.
    static func unescaped(_ text: Substring, quoted: Bool) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                result.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if quoted && character == "'" {
                break
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func replace(_ expression: NSRegularExpression, in text: String, with template: String) -> String {
        expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
}
