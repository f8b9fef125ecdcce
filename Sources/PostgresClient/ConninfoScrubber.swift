import Foundation

/// libpq quotes the operator's connection string in some errors: a malformed
/// URI comes back whole, `user:password@` included. Every message that comes
/// from parsing or connecting with that string passes through here before
/// it can reach a screen, a log, a journal or a report.
enum ConninfoScrubber {
    static let mask = "********"

    /// `scheme://user:secret@` -> `scheme://user:********@`
    static let uriPassword = try! NSRegularExpression(pattern: #"(postgres(?:ql)?://[^:@/\s"]*):[^@\s"]*@"#, options: [.caseInsensitive])
    /// `password=secret`, `password = 'sec ret'`
    static let keywordPassword = try! NSRegularExpression(pattern: #"(password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s"]*)"#, options: [.caseInsensitive])

    static func scrub(_ message: String, conninfo: String, extraSecrets: [String] = []) -> String {
        var text = replace(uriPassword, in: message, with: "$1:\(mask)@")
        text = replace(keywordPassword, in: text, with: "$1\(mask)")
        // Whatever the patterns missed: the secrets themselves, read from the
        // raw string the same way, wherever they stand apart from letters and
        // digits (as libpq quotes them), so a short one cannot mangle words.
        for secret in Set(secrets(in: conninfo) + extraSecrets) where !secret.isEmpty && secret != mask {
            let escaped = NSRegularExpression.escapedPattern(for: secret)
            guard let standalone = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9])" + escaped + "(?![A-Za-z0-9])") else { continue }
            text = replace(standalone, in: text, with: NSRegularExpression.escapedTemplate(for: mask))
        }
        return text
    }

    /// Password values as they appear in the raw string (URI userinfo, or a
    /// password keyword, quoted or not).
    static func secrets(in conninfo: String) -> [String] {
        var found: [String] = []
        let whole = NSRange(conninfo.startIndex..., in: conninfo)
        for match in uriPassword.matches(in: conninfo, range: whole) {
            guard let range = Range(match.range, in: conninfo) else { continue }
            let userinfo = conninfo[range].dropLast()    // without "@"
            if let colon = userinfo.lastIndex(of: ":") {
                let secret = String(userinfo[userinfo.index(after: colon)...])
                found.append(secret)
                found.append(secret.removingPercentEncoding ?? secret)
            }
        }
        for match in keywordPassword.matches(in: conninfo, range: whole) {
            guard let range = Range(match.range(at: 2), in: conninfo) else { continue }
            let value = String(conninfo[range])
            found.append(value)
            if value.hasPrefix("'") { found.append(String(value.dropFirst().prefix { $0 != "'" })) }
        }
        return found.filter { $0.count >= 1 && $0 != "'" && $0 != "''" }
    }

    static func replace(_ expression: NSRegularExpression, in text: String, with template: String) -> String {
        expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
}
