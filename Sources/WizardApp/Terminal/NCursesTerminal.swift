import CNCursesW
import Foundation
import Synchronization
import WizardUI

/// The only place that talks to ncurses: copies changed cells of a grid to
/// the screen and turns key codes into `Key`s. Always `restore()` it; the
/// signal handlers and an exit hook restore the terminal as well.
public final class NCursesTerminal {
    public enum Input: Equatable {
        case key(Key)
        case resize(rows: Int, columns: Int)
        /// SIGTERM or SIGHUP arrived.
        case signal(Int32)
    }

    private var shown: CellGrid?
    private let palette: Palette
    private var restored = false

    /// Whether this terminal can show the wizard, checked before anything
    /// else is done (no connection, no screen taken).
    public static func check(environment: [String: String] = ProcessInfo.processInfo.environment) throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        let term = environment["TERM"] ?? ""
        guard !term.isEmpty else { throw .cannotOpen(term: term) }
        switch pgsw_term_can_address(term) {
        case -1: throw .cannotOpen(term: term)
        case 0: throw .cannotPositionCursor(term: term)
        default: break
        }
    }

    /// Opens the terminal: UTF-8 locale when the environment has one, raw
    /// keys (Ctrl-C arrives as a key), no echo, keypad, invisible cursor.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        setlocale(LC_ALL, "")
        let term = environment["TERM"] ?? ""
        guard !term.isEmpty, pgsw_newterm() != nil else { throw .cannotOpen(term: term) }
        // A terminal without cursor addressing (TERM=dumb) cannot show a screen.
        if pgsw_can_address_cursor() == 0 {
            endwin()
            throw .cannotPositionCursor(term: term)
        }
        raw()
        noecho()
        nonl()
        keypad(pgsw_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        wtimeout(pgsw_stdscr(), 100)
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        palette = Palette(colour: has_colors() && !noColor)
        palette.install()
        Self.installExitHooks()
    }

    public var size: (rows: Int, columns: Int) {
        var rows: Int32 = 0, columns: Int32 = 0
        pgsw_getmaxyx(pgsw_stdscr(), &rows, &columns)
        return (Int(rows), Int(columns))
    }

    /// Copies the cells that changed since the last draw (all after a resize).
    public func draw(_ grid: CellGrid, fullRepaint: Bool = false) {
        let screen = pgsw_stdscr()
        for change in grid.changes(since: fullRepaint ? nil : shown) {
            var character: [wchar_t] = [wchar_t(change.cell.character.unicodeScalars.first?.value ?? 32), 0]
            var cell = cchar_t()
            let look = palette.look(change.cell.style)
            setcchar(&cell, &character, attr_t(look.attributes), Int16(look.pair), nil)
            mvwadd_wch(screen, Int32(change.row), Int32(change.column), &cell)
        }
        shown = grid
        wnoutrefresh(screen)
        doupdate()
    }

    /// The next key, a resize or a signal; nil after 100 ms without input.
    public func read() -> Input? {
        let caught = Self.caughtSignal.exchange(0, ordering: .relaxed)
        if caught != 0 { return .signal(caught) }
        var character: wint_t = 0
        let result = wget_wch(pgsw_stdscr(), &character)
        if result == ERR { return nil }
        if result == pgsw_key_code_yes() {
            if Int32(character) == pgsw_key_resize() {
                shown = nil
                wclear(pgsw_stdscr())
                let now = size
                return .resize(rows: now.rows, columns: now.columns)
            }
            return KeyMapping.function(Int32(character)).map { .key($0) }
        }
        return KeyMapping.character(UInt32(character)).map { .key($0) }
    }

    /// Gives the terminal back as it was. Safe to call more than once.
    public func restore() {
        guard !restored else { return }
        restored = true
        curs_set(1)
        endwin()
    }

    deinit { restore() }

    // MARK: - Signals and exit

    static let caughtSignal = Atomic<Int32>(0)

    /// SIGTERM and SIGHUP are turned into input, so the loop can stop the
    /// run cleanly and restore the terminal; an exit hook restores it on
    /// any other way out.
    static func installExitHooks() {
        signal(SIGTERM) { number in NCursesTerminal.caughtSignal.store(number, ordering: .relaxed) }
        signal(SIGHUP) { number in NCursesTerminal.caughtSignal.store(number, ordering: .relaxed) }
        atexit { if !isendwin() { endwin() } }
    }
}

/// Key codes -> keys.
enum KeyMapping {
    static func function(_ code: Int32) -> Key? {
        switch code {
        case pgsw_key_up(): return .up
        case pgsw_key_down(): return .down
        case pgsw_key_left(): return .left
        case pgsw_key_right(): return .right
        case pgsw_key_ppage(): return .pageUp
        case pgsw_key_npage(): return .pageDown
        case pgsw_key_home(): return .home
        case pgsw_key_end(): return .end
        case pgsw_key_enter(): return .enter
        case pgsw_key_backspace(): return .backspace
        case pgsw_key_btab(): return .backTab
        default: return nil
        }
    }

    static func character(_ value: UInt32) -> Key? {
        switch value {
        case 3: return .interrupt
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0..<32: return nil
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }
}

/// Style roles -> colour pairs and attributes. Without colour (NO_COLOR, a
/// monochrome terminal) meaning is carried by bold, dim, reverse and underline.
struct Palette {
    let colour: Bool

    static let roles = Style.Role.allCases

    func install() {
        guard colour else { return }
        start_color()
        use_default_colors()
        for (index, role) in Self.roles.enumerated() {
            let (foreground, background) = Self.colours(role)
            init_pair(Int16(index + 1), foreground, background)
        }
    }

    static func colours(_ role: Style.Role) -> (Int16, Int16) {
        switch role {
        case .normal, .dim: return (-1, -1)
        case .title: return (Int16(COLOR_CYAN), -1)
        case .added, .good: return (Int16(COLOR_GREEN), -1)
        case .removed, .bad: return (Int16(COLOR_RED), -1)
        case .warning: return (Int16(COLOR_YELLOW), -1)
        case .selected: return (Int16(COLOR_BLACK), Int16(COLOR_CYAN))
        case .key: return (Int16(COLOR_MAGENTA), -1)
        }
    }

    func look(_ style: Style) -> (attributes: UInt32, pair: Int) {
        var attributes = style.bold ? pgsw_a_bold() : pgsw_a_normal()
        if style.role == .dim { attributes |= pgsw_a_dim() }
        if colour { return (attributes, (Self.roles.firstIndex(of: style.role) ?? 0) + 1) }
        switch style.role {
        case .selected: attributes |= pgsw_a_reverse()
        case .bad, .removed: attributes |= pgsw_a_bold() | pgsw_a_underline()
        case .warning, .title, .key: attributes |= pgsw_a_bold()
        default: break
        }
        return (attributes, 0)
    }
}
