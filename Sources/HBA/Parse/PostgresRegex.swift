import Foundation

/// PostgreSQL's regular expressions in pg_hba.conf (16+, ARE flavour,
/// unanchored search). We validate with the server's error texts for the
/// common mistakes, and evaluate only a subset whose meaning is the same in
/// ICU; anything else is reported as unknown rather than guessed.
public enum PostgresRegex {
    /// The pg_regerror text for a pattern PostgreSQL rejects, or nil.
    public static func validate(_ pattern: String) -> String? {
        let characters = Array(pattern)
        var index = 0
        var depth = 0
        var canRepeat = false // is there an operand for a quantifier?
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\":
                guard index + 1 < characters.count else { return "invalid escape \\ sequence" }
                index += 2
                canRepeat = true
                continue
            case "(":
                depth += 1
                // (?: (?= (?! and embedded options
                if index + 1 < characters.count, characters[index + 1] == "?" { index += 1 }
                canRepeat = false
            case ")":
                guard depth > 0 else { return "parentheses () not balanced" }
                depth -= 1
                canRepeat = true
            case "[":
                guard let end = bracketEnd(characters, from: index) else { return "brackets [] not balanced" }
                if let problem = checkBracket(Array(characters[(index + 1)..<end])) { return problem }
                index = end + 1
                canRepeat = true
                continue
            case "*", "+", "?":
                guard canRepeat else { return "quantifier operand invalid" }
                // A following ? makes it non-greedy; a second quantifier is invalid.
                if index + 1 < characters.count, characters[index + 1] == "?" { index += 1 }
                if index + 1 < characters.count, "*+{".contains(characters[index + 1]) { return "quantifier operand invalid" }
                canRepeat = false
            case "{":
                guard canRepeat else { return "quantifier operand invalid" }
                guard let close = characters[index...].firstIndex(of: "}") else { return "braces {} not balanced" }
                let body = String(characters[(index + 1)..<close])
                let bounds = body.split(separator: ",", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), !bounds[0].isEmpty,
                      bounds.allSatisfy({ $0.isEmpty || $0.allSatisfy(\.isNumber) }) else { return "invalid repetition count(s)" }
                let low = Int(bounds[0]) ?? 0
                let high = bounds.count == 2 ? (bounds[1].isEmpty ? Int.max : Int(bounds[1]) ?? 0) : low
                guard low <= 255, high == Int.max || high <= 255, low <= high else { return "invalid repetition count(s)" }
                index = close
                canRepeat = false
            case "|":
                canRepeat = false
            case "^", "$":
                canRepeat = false
            default:
                canRepeat = true
            }
            index += 1
        }
        return depth == 0 ? nil : "parentheses () not balanced"
    }

    private static func bracketEnd(_ characters: [Character], from start: Int) -> Int? {
        var index = start + 1
        if index < characters.count, characters[index] == "^" { index += 1 }
        if index < characters.count, characters[index] == "]" { index += 1 } // a leading ] is literal
        while index < characters.count {
            if characters[index] == "[", index + 1 < characters.count, ":.=".contains(characters[index + 1]) {
                let kind = characters[index + 1]
                var scan = index + 2
                while scan + 1 < characters.count, !(characters[scan] == kind && characters[scan + 1] == "]") { scan += 1 }
                guard scan + 1 < characters.count else { return nil }
                index = scan + 2
                continue
            }
            if characters[index] == "]" { return index }
            index += 1
        }
        return nil
    }

    private static func checkBracket(_ body: [Character]) -> String? {
        var items = body
        if items.first == "^" { items.removeFirst() }
        var index = 0
        while index < items.count {
            if items[index] == "[", index + 1 < items.count, items[index + 1] == ":" {
                guard let close = (index + 2..<items.count).first(where: { items[$0] == ":" && $0 + 1 < items.count && items[$0 + 1] == "]" }) else { return nil }
                let name = String(items[(index + 2)..<close])
                let classes = ["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit", "word"]
                guard classes.contains(name) else { return "invalid character class" }
                index = close + 2
                continue
            }
            if index + 2 < items.count, items[index + 1] == "-", items[index + 2] != "]" {
                guard let low = items[index].unicodeScalars.first?.value, let high = items[index + 2].unicodeScalars.first?.value,
                      low <= high else { return "invalid character range" }
                index += 3
                continue
            }
            index += 1
        }
        return nil
    }

    /// Whether `subject` contains a match of `pattern` (unanchored), or nil
    /// when the pattern uses something outside the subset we evaluate.
    public static func matches(_ pattern: String, _ subject: String) -> Bool? {
        guard validate(pattern) == nil, isInEvaluableSubset(pattern),
              let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        let range = NSRange(subject.startIndex..., in: subject)
        return expression.firstMatch(in: subject, range: range) != nil
    }

    /// Literals, `.`, anchors, `|`, groups, greedy quantifiers, simple
    /// bracket expressions and \d \w \s: the same meaning in ARE and ICU.
    static func isInEvaluableSubset(_ pattern: String) -> Bool {
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            switch characters[index] {
            case "\\":
                guard index + 1 < characters.count else { return false }
                let escaped = characters[index + 1]
                guard "dwsDWS.\\^$|()[]{}*+?-/".contains(escaped) else { return false }
                index += 2
                continue
            case "(":
                if index + 1 < characters.count, characters[index + 1] == "?" { return false }
            case "[":
                // No classes, collating elements or equivalence classes.
                if index + 1 < characters.count, characters[(index + 1)...].prefix(while: { $0 != "]" }).contains("[") { return false }
            case "?", "*", "+", "}":
                if index + 1 < characters.count, characters[index + 1] == "?" { return false } // non-greedy differs
            default:
                break
            }
            if !characters[index].isASCII { return false }
            index += 1
        }
        return true
    }
}
