/// A key as the wizard understands it, independent of the terminal: the
/// ncurses backend maps key codes to these; tests send them directly.
public enum Key: Hashable, Sendable {
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace
    /// Ctrl-C: the terminal is in raw mode, so it arrives as a key, not a signal.
    case interrupt
    case character(Character)
}
