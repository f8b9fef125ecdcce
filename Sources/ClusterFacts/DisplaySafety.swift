/// Characters that must never reach a terminal as they are (docs/SECURITY.md,
/// "Screens"): a name or a log line from someone else could otherwise move
/// the cursor, erase lines or reorder what a line seems to say. The command
/// line and the wizard's cell grid both ask here.
public enum DisplaySafety {
    /// C0 and C1 controls (but line breaks and tabs), DEL, and the bidirectional overrides and isolates.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (value < 0x20 && value != 0x0A && value != 0x09) || value == 0x7F || (0x80...0x9F).contains(value)
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}
