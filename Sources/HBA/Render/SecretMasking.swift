/// pg_hba.conf can hold an LDAP bind password (`ldapbindpasswd`) and RADIUS
/// shared secrets (`radiussecrets`). Everything the hba commands print masks
/// their values; the rules and the rewritten bytes themselves keep them.
enum SecretMasking {
    static let options = ["ldapbindpasswd", "radiussecrets"]
    static let mask = "********"

    /// A view option such as `ldapbindpasswd=s3cret`.
    static func option(_ text: String) -> String {
        for name in options where text.hasPrefix(name + "=") { return name + "=" + mask }
        return text
    }

    /// One raw line of the file: each `name=value` of a secret option has its
    /// value (quoted parts included, up to unquoted white space or `#`) masked.
    static func line(_ text: String) -> String {
        guard options.contains(where: text.contains) else { return text }
        var result = ""
        var rest = Substring(text)
        while let range = options.compactMap({ rest.range(of: $0 + "=") }).min(by: { $0.lowerBound < $1.lowerBound }) {
            result += rest[..<range.upperBound]
            var index = range.upperBound
            var quoted = false
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\"" { quoted.toggle() } else if !quoted, character == " " || character == "\t" || character == "#" { break }
                index = rest.index(after: index)
            }
            result += index > range.upperBound ? mask : ""
            rest = rest[index...]
        }
        return result + rest
    }

    /// Every line of a text (line ends kept).
    static func text(_ text: String) -> String {
        guard options.contains(where: text.contains) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0)) }.joined(separator: "\n")
    }
}
