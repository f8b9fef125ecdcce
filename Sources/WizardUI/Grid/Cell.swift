/// One character cell of the terminal as the views draw it: a character
/// and how it looks. The ncurses backend copies cells; snapshot tests read them.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: Style

    public init(_ character: Character = " ", style: Style = .plain) {
        self.character = character
        self.style = style
    }

    public static let blank = Cell()
}

/// What a cell looks like, by meaning, not by colour: the backend maps
/// roles to colour pairs, or to bold/reverse when there is no colour
/// (NO_COLOR, a monochrome terminal).
public struct Style: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable, CaseIterable {
        case normal, title, dim, added, removed, good, warning, bad, selected, key
    }

    public var role: Role
    public var bold: Bool

    public init(_ role: Role = .normal, bold: Bool = false) {
        self.role = role
        self.bold = bold
    }

    public static let plain = Style()
}
