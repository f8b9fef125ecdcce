import Foundation
import Enforcement

/// Dialogs drawn over the screen: confirmations, the keep countdown, help, quit.
enum OverlayView {
    static func draw(_ overlay: WizardModel.Overlay, into grid: inout CellGrid, model: WizardModel) {
        let width = min(model.columns - 4, 72)
        var title = "", lines: [Line] = []
        switch overlay {
        case .confirm(let confirmation, let typed):
            title = "Confirm"
            lines.append(Line(confirmation.title, Style(.title, bold: true)))
            lines += confirmation.consequences.flatMap { wrapped("- " + $0, width - 4) }
            lines.append(Line(""))
            if let why = confirmation.typeYes {
                lines += wrapped("Type yes and Enter to go on (\(why)). Esc cancels.", width - 4, Style(.warning, bold: true))
                lines.append(Line(spans: [Span("> ", Style(.key)), Span(typed + "_", Style(.key, bold: true))]))
            } else {
                lines.append(Line(spans: [Span("y/Enter", Style(.key, bold: true)), Span(" apply   "), Span("n/Esc", Style(.key, bold: true)), Span(" cancel")]))
            }
        case .keep(let deadline):
            title = "Keep these changes?"
            let left = max(0, Int(deadline.timeIntervalSince(model.now).rounded(.up)))
            lines.append(Line("New SSL connection verified. Keep these changes?", Style(.good, bold: true)))
            lines.append(Line("Reverting in \(left) s", Style(.warning, bold: true)))
            lines += wrapped(KeepWording.promise(seconds: model.run?.keepSeconds ?? left), width - 4, Style(.dim))
            lines += wrapped("From another shell: " + KeepWording.commands, width - 4, Style(.dim))
            lines.append(Line(spans: [Span("y/Enter", Style(.key, bold: true)), Span(" keep   "), Span("n", Style(.key, bold: true)), Span(" revert now")]))
        case .help:
            title = "Keys"
            let keys = [("Enter / a", "apply the step shown, after its confirmation"), ("s", "skip (terminate and confirm only)"),
                        ("b / Esc / left", "back one screen (nothing is undone)"), ("n / right", "next screen"),
                        ("Tab / Shift-Tab", "next pane: plan, explanation, log"),
                        ("up down / j k", "scroll the pane"), ("PgUp / PgDn", "scroll a page"), ("d", "details: the plan on the whole screen"),
                        ("q / Ctrl-C", "quit; asks first while a change is applied"), ("?", "this help")]
            lines = keys.map { Line(spans: [Span(($0.0 + String(repeating: " ", count: 18)).prefix(18).description, Style(.key, bold: true)), Span($0.1)]) }
            lines.append(Line(""))
            lines.append(Line("Any key closes this help.", Style(.dim)))
        case .quit:
            title = "Quit?"
            lines += wrapped("A change is being applied. Stop after the action under way? The run is saved: start pg-ssl-wizard again to resume it.", width - 4)
            lines.append(Line(spans: [Span("y", Style(.key, bold: true)), Span(" stop and quit   "), Span("n/Esc", Style(.key, bold: true)), Span(" go on")]))
        case .message(let text):
            title = "Note"
            lines += text.components(separatedBy: "\n").flatMap { wrapped($0, width - 4) }
            lines.append(Line("Any key closes this note.", Style(.dim)))
        }
        let height = min(model.rows - 2, lines.count + 4)
        let row = max(1, (model.rows - height) / 2), column = max(0, (model.columns - width) / 2)
        grid.fill(row: row, column: column, width: width, height: height)
        grid.frame(row: row, column: column, width: width, height: height, title: title, box: model.box, style: Style(.title, bold: true))
        for (offset, line) in lines.prefix(height - 4).enumerated() {
            grid.draw(line, row: row + 2 + offset, column: column + 2, width: width - 4)
        }
    }

    static func wrapped(_ text: String, _ width: Int, _ style: Style = .plain) -> [Line] {
        TextLayout.lines(text, width: width, style: style)
    }
}
