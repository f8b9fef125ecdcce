import Foundation

/// The explanation panels: one text per screen from `Resources/explanations`.
/// A text's first part is always shown; the part after a `---` line is
/// shown in practice mode (trainees get the fuller story).
public struct Explanations: Hashable, Sendable {
    struct Text: Hashable, Sendable {
        var short: String
        var more: String
    }

    private var texts: [String: Text] = [:]

    public init() {}

    /// `files`: screen name (`preflight`, a step's raw name, `final`) -> file contents.
    public init(files: [String: String]) {
        for (name, contents) in files {
            let parts = contents.components(separatedBy: "\n---\n")
            texts[name] = Text(short: Self.paragraphs(parts[0]), more: parts.count > 1 ? Self.paragraphs(parts[1...].joined(separator: "\n")) : "")
        }
    }

    public func text(for screen: String, practice: Bool) -> String {
        guard let text = texts[screen] else { return "" }
        return practice && !text.more.isEmpty ? text.short + "\n\n" + text.more : text.short
    }

    /// Lines of a paragraph are joined: the panel wraps them to its width.
    static func paragraphs(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
            .components(separatedBy: "\n\n")
            .map { $0.split(separator: "\n").joined(separator: " ") }
            .joined(separator: "\n\n")
    }
}
