/// Parser for one-dimensional array literals in PostgreSQL's text output,
/// such as `{all,"a b","x\"y",NULL}`.
enum PostgresArrayLiteral {
    /// nil when the text is not a one-dimensional array literal.
    static func parse(_ text: String) -> [String?]? {
        var characters = Array(text)
        // Arrays with explicit bounds ("[0:1]={...}") do not occur in our views.
        guard characters.first == "{", characters.last == "}" else { return nil }
        characters.removeFirst()
        characters.removeLast()
        if characters.isEmpty { return [] }
        var elements: [String?] = []
        var position = 0
        while position <= characters.count {
            var element = ""
            var quoted = false
            if position < characters.count, characters[position] == "\"" {
                quoted = true
                position += 1
                while position < characters.count, characters[position] != "\"" {
                    if characters[position] == "\\", position + 1 < characters.count { position += 1 }
                    element.append(characters[position])
                    position += 1
                }
                guard position < characters.count else { return nil }
                position += 1 // closing quote
            } else {
                while position < characters.count, characters[position] != "," {
                    if characters[position] == "{" { return nil } // nested: not supported
                    element.append(characters[position])
                    position += 1
                }
            }
            elements.append(!quoted && element == "NULL" ? nil : element)
            if position < characters.count {
                guard characters[position] == "," else { return nil }
                position += 1
            } else {
                break
            }
        }
        return elements
    }
}
