import Enforcement
import Foundation

/// Model -> cells. The whole screen is drawn from the model every time;
/// the backend copies only what changed.
public enum WizardView {
    public static let minimumRows = 24
    public static let minimumColumns = 80

    public static func render(_ model: WizardModel) -> CellGrid {
        var grid = CellGrid(rows: model.rows, columns: model.columns)
        guard model.rows >= minimumRows && model.columns >= minimumColumns else {
            tooSmall(&grid, model)
            return grid
        }
        let layout = Layout(rows: model.rows, columns: model.columns, maximized: model.maximized)
        header(&grid, model)
        rail(&grid, model)
        pane(&grid, model, .plan, layout.page, title: title(of: model.screen),
             lines: model.pageLines(width: layout.page.width - 2).flatMap { TextLayout.wrap($0, width: layout.page.width - 2, unicode: model.box == .unicode) })
        if let rect = layout.explanation {
            let text = model.content.explanations.text(for: explanationName(model.screen), practice: model.content.practice)
            pane(&grid, model, .explanation, rect, title: model.content.practice ? "Why (practice)" : "Why",
                 lines: TextLayout.lines(text, width: rect.width - 2, unicode: model.box == .unicode))
        }
        if let rect = layout.log { logPane(&grid, model, rect) }
        footer(&grid, model)
        if let overlay = model.overlay { OverlayView.draw(overlay, into: &grid, model: model) }
        return grid
    }

    static func title(of screen: WizardModel.Screen) -> String {
        switch screen {
        case .preflight: return "Preflight"
        case .step(let step): return "Step \(StepName.allCases.firstIndex(of: step) ?? 0) of 6: \(step.title)"
        case .final: return "Result"
        }
    }

    static func explanationName(_ screen: WizardModel.Screen) -> String {
        switch screen {
        case .preflight: return "preflight"
        case .step(let step): return step.rawValue
        case .final: return "final"
        }
    }

    static func header(_ grid: inout CellGrid, _ model: WizardModel) {
        grid.fill(row: 0, column: 0, width: model.columns, height: 1, with: Cell(" ", style: Style(.selected)))
        let badge = model.content.practice ? " PRACTICE " : ""
        grid.write(" pg-ssl-wizard  " + model.content.header, row: 0, column: 0, style: Style(.selected, bold: true),
                   width: model.columns - badge.count - 1)
        if !badge.isEmpty { grid.write(badge, row: 0, column: model.columns - badge.count, style: Style(.warning, bold: true)) }
    }

    static func rail(_ grid: inout CellGrid, _ model: WizardModel) {
        let unicode = model.box == .unicode
        // Numbers and separators only when there is room for them.
        let roomy = model.columns >= 100
        var spans: [Span] = [Span(" ")]
        for (index, step) in StepName.allCases.enumerated() {
            let current = model.screen == .step(step) || (step == .preflight && model.screen == .preflight)
            let label = (index == 0 || !roomy ? "" : "\(index) ") + (Badge.shortNames[step] ?? step.rawValue)
            let status = step == .preflight && model.run == nil ? (model.content.blocked ? .planned : .satisfied) : model.status(step)
            spans.append(Span(label, current ? Style(.selected, bold: true) : .plain))
            spans.append(Span(" "))
            spans.append(Badge.mark(status, blocked: model.content.blocked, unicode: unicode))
            spans.append(roomy ? Span(unicode ? " │ " : " | ", Style(.dim)) : Span(" "))
        }
        spans.append(Span("Result", model.screen == .final ? Style(.selected, bold: true) : Style(model.final == nil ? .dim : .normal)))
        grid.draw(Line(spans: spans), row: 1, column: 0, width: model.columns)
    }

    static func pane(_ grid: inout CellGrid, _ model: WizardModel, _ which: WizardModel.Pane, _ rect: Rect, title: String, lines: [Line]) {
        let focused = model.focus == which
        grid.frame(row: rect.row, column: rect.column, width: rect.width, height: rect.height, title: title, box: model.box,
                   style: focused ? Style(.title) : Style(.dim))
        let visible = rect.height - 2
        let top = min(model.scroll[which] ?? 0, max(0, lines.count - visible))
        for (offset, line) in lines.dropFirst(top).prefix(visible).enumerated() {
            grid.draw(line, row: rect.row + 1 + offset, column: rect.column + 1, width: rect.width - 2)
        }
        if lines.count > visible {
            let position = " \(top + 1)-\(min(lines.count, top + visible))/\(lines.count) "
            grid.write(position, row: rect.row + rect.height - 1, column: rect.column + rect.width - 2 - position.count, style: Style(.dim))
        }
    }

    static func logPane(_ grid: inout CellGrid, _ model: WizardModel, _ rect: Rect) {
        let visible = rect.height - 2
        // Scrolling the log moves back from the newest line.
        let back = min(model.scroll[.log] ?? 0, max(0, model.log.count - visible))
        let end = model.log.count - back
        // Each entry laid out like every other pane; the newest rows fill the bottom.
        let rows = model.log[max(0, end - visible)..<end].flatMap {
            TextLayout.wrap(Line(spans: [Span($0.zone.clock($0.at) + " ", Style(.dim)), Span($0.text, $0.style)]),
                            width: rect.width - 2, unicode: model.box == .unicode)
        }
        let shown = rows.suffix(visible)
        grid.frame(row: rect.row, column: rect.column, width: rect.width, height: rect.height, title: "Log", box: model.box,
                   style: model.focus == .log ? Style(.title) : Style(.dim))
        for (offset, line) in shown.enumerated() {
            grid.draw(line, row: rect.row + 1 + offset, column: rect.column + 1, width: rect.width - 2)
        }
    }

    static func footer(_ grid: inout CellGrid, _ model: WizardModel) {
        let row = model.rows - 1
        if let notice = model.notice {
            grid.write(" " + notice, row: row, column: 0, style: Style(.warning, bold: true))
            return
        }
        var keys: [(String, String)]
        switch model.screen {
        case .final: keys = [("Enter/q", "quit"), ("↑↓", "scroll"), ("Tab", "pane"), ("b", "back"), ("?", "help")]
        case .preflight: keys = [("Enter", "next"), ("Tab", "pane"), ("↑↓ PgUp/PgDn", "scroll"), ("d", "details"), ("?", "help"), ("q", "quit")]
        case .step(let step):
            keys = [("Enter", model.status(step).isDone ? "next" : "apply")]
            if model.content.pages[step]?.skippable == true && !model.status(step).isDone { keys.append(("s", "skip")) }
            keys += [("b/←", "back"), ("→", "next"), ("Tab", "pane"), ("↑↓", "scroll"), ("d", "details"), ("?", "help"), ("q", "quit")]
        }
        if model.box != .unicode { keys = keys.map { ($0.0.replacingOccurrences(of: "←", with: "left").replacingOccurrences(of: "→", with: "right").replacingOccurrences(of: "↑↓", with: "up/down"), $0.1) } }
        var spans: [Span] = [Span(" ")]
        for (key, action) in keys { spans += [Span(key, Style(.key, bold: true)), Span(" \(action)  ", Style(.dim))] }
        grid.draw(Line(spans: spans), row: row, column: 0, width: model.columns)
    }

    static func tooSmall(_ grid: inout CellGrid, _ model: WizardModel) {
        let text = "The wizard needs a terminal of at least \(minimumColumns)x\(minimumRows); this one is \(model.columns)x\(model.rows). "
            + "Enlarge it, or use `pg-ssl-wizard plan` and `apply`. q quits."
        for (index, line) in TextLayout.lines(text, width: max(10, model.columns - 2), style: Style(.warning, bold: true)).enumerated() {
            grid.draw(line, row: index + 1, column: 1, width: max(10, model.columns - 2))
        }
    }
}

/// A rectangle of the screen.
struct Rect: Hashable {
    var row: Int, column: Int, width: Int, height: Int
}

/// Where the panes go: side by side when the terminal is wide, stacked at 80x24.
struct Layout {
    var page: Rect
    var explanation: Rect?
    var log: Rect?

    init(rows: Int, columns: Int, maximized: Bool) {
        let top = 2, bodyHeight = rows - 3
        if maximized {
            page = Rect(row: top, column: 0, width: columns, height: bodyHeight)
            return
        }
        if columns >= 110 && rows >= 30 {
            let logHeight = max(6, rows / 5)
            let explanationWidth = columns / 3
            page = Rect(row: top, column: 0, width: columns - explanationWidth, height: bodyHeight - logHeight)
            explanation = Rect(row: top, column: columns - explanationWidth, width: explanationWidth, height: bodyHeight - logHeight)
            log = Rect(row: top + bodyHeight - logHeight, column: 0, width: columns, height: logHeight)
        } else {
            let explanationHeight = 6, logHeight = 5
            page = Rect(row: top, column: 0, width: columns, height: bodyHeight - explanationHeight - logHeight)
            explanation = Rect(row: top + page.height, column: 0, width: columns, height: explanationHeight)
            log = Rect(row: top + page.height + explanationHeight, column: 0, width: columns, height: logHeight)
        }
    }
}
