import ClusterFacts
import Foundation

/// Everything the commands write to the terminal passes through here: a
/// pg_hba.conf comment, a setting, a user or application name is written by
/// someone else, and an escape sequence in it could erase or rewrite the
/// lines of a plan that root is about to confirm. Control characters (but
/// line breaks and tabs) are shown as `\x1b`-style escapes instead
/// (docs/SECURITY.md, "Screens"). JSON output has none left to
/// show: the encoder escapes them itself.
enum TerminalText {
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool { DisplaySafety.isControl(scalar) }

    static func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(visible(text).utf8))
    }
}

/// The module's `print`: the same as the standard library's, through `TerminalText`.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    TerminalText.write(items.map { "\($0)" }.joined(separator: separator) + terminator, to: .standardOutput)
}
