import ClusterFacts

/// Why the wizard cannot use this terminal; each says what to do instead.
public enum TerminalError: OperatorFacingError, Equatable, Sendable {
    case notATerminal
    case cannotOpen(term: String)
    case cannotPositionCursor(term: String)

    public var operatorMessage: String {
        switch self {
        case .notATerminal:
            return "the wizard needs an interactive terminal (standard input and output are not one): use `pg-ssl-wizard plan` and `apply --yes` in scripts"
        case .cannotOpen(let term):
            return "the terminal type \(term.isEmpty ? "(TERM is not set)" : "'\(term)'") is unknown to ncurses: set TERM=xterm-256color (or your terminal's name), or use `plan` and `apply --yes`"
        case .cannotPositionCursor(let term):
            return "the terminal type '\(term)' cannot move the cursor, so no screen can be drawn: set TERM=xterm-256color (or your terminal's name), or use `plan` and `apply --yes`"
        }
    }
}
