import Enforcement
import Foundation

extension WizardModel {
    /// Model/Update: one event in, the model changed, commands out for the
    /// runtime. Keys reach the dialog on top first, then the screen.
    public mutating func update(_ event: WizardEvent) -> [WizardCommand] {
        switch event {
        case .key(let key):
            if let overlay { return overlayKey(key, overlay) }
            return screenKey(key)
        case .resize(let rows, let columns):
            self.rows = rows
            self.columns = columns
            return []
        case .tick(let date):
            now = date
            if case .keep(let deadline) = overlay, date >= deadline {
                return answerKeep(false, because: "no answer within \(run?.keepSeconds ?? 0) s: reverting the changes")
            }
            return []
        case .clockZone(let zone):
            clockZone = zone
            return []
        case .sessions(let live):
            sessions = live
            sessionsProblem = nil
            return []
        case .sessionsUnavailable(let why):
            sessionsProblem = why
            return []
        case .termination(let progress):
            termination = progress
            return []
        default:
            return runUpdate(event)
        }
    }

    // MARK: - Keys on a screen

    mutating func screenKey(_ key: Key) -> [WizardCommand] {
        notice = nil
        switch key {
        case .character("q"), .interrupt:
            // Between steps the run is saved and resumable: only a change under way asks first.
            if activity == .idle {
                wantsQuit = true
                return [.quit]
            }
            overlay = .quit(applying: true)
        case .character("?"): overlay = .help
        case .tab: focus = Pane(rawValue: (focus.rawValue + 1) % Pane.allCases.count) ?? .plan
        case .backTab: focus = Pane(rawValue: (focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count) ?? .plan
        case .up, .character("k"): scrollFocused(by: -1)
        case .down, .character("j"): scrollFocused(by: 1)
        case .pageUp: scrollFocused(by: -pageSize)
        case .pageDown: scrollFocused(by: pageSize)
        case .home: scroll[focus] = 0
        case .end: scrollFocused(by: 100_000)
        case .left, .escape, .character("b"): move(by: -1)
        case .right, .character("n"): move(by: 1)
        case .character("d"): maximized.toggle()
        case .character("s"): return skip()
        case .enter, .character("a"): return primaryAction()
        default: break
        }
        return []
    }

    var pageSize: Int { max(1, rows / 2) }

    mutating func scrollFocused(by delta: Int) {
        scroll[focus] = max(0, (scroll[focus] ?? 0) + delta)
    }

    mutating func move(by delta: Int) {
        guard let index = Self.screens.firstIndex(of: screen) else { return }
        let next = min(max(0, index + delta), Self.screens.count - 1)
        if Self.screens[next] == .final && final == nil && delta > 0 { notice = "The final screen comes when the run ends."; return }
        show(Self.screens[next])
    }

    mutating func show(_ next: Screen) {
        if next != screen { scroll = [:] }
        screen = next
    }

    /// Enter: on the preflight screen go on; on a step apply it (after its
    /// confirmation) or go on when it needs nothing; on the final screen quit.
    mutating func primaryAction() -> [WizardCommand] {
        switch screen {
        case .preflight:
            move(by: 1)
        case .final:
            wantsQuit = true
            return [.quit]
        case .step(let step):
            if activity != .idle { notice = "A change is being applied; wait for it to finish."; return [] }
            if let run, run.isFinished { show(.final); return [] }
            if status(step).isDone { move(by: 1); return [] }
            if let refusal = refusal(for: step) { notice = refusal; return [] }
            guard let page = content.pages[step] else { return [] }
            var confirmation = page.confirmation
            if let run, run.status(step) != .planned, run.nextStep == step {
                confirmation = Confirmation(step: step, title: "Continue the interrupted run at \(step.title)",
                                            consequences: ["the interrupted action is carried out again; every action is safe to repeat"])
            }
            overlay = .confirm(confirmation, typed: "")
        }
        return []
    }

    /// Why this step cannot be applied now; nil when it can.
    func refusal(for step: StepName) -> String? {
        // A resumed run was checked when it started; only a new one is held by today's plan.
        if content.blocked && run == nil { return "The plan is blocked: " + content.blockingReasons.joined(separator: " | ") }
        if content.filesManual { return "This program cannot write the server's files here: use `pg-ssl-wizard plan` and apply the files by hand." }
        if let next = run?.nextStep ?? StepName.allCases.first(where: { !status($0).isDone }), next < step {
            return "Do \(next.title) first: each step needs the ones before it."
        }
        if run.map({ $0.status(step) == .failed || $0.status(step) == .rolledBack }) ?? false {
            return "This run ended at \(step.title); start the wizard again for a new plan."
        }
        return nil
    }

    mutating func skip() -> [WizardCommand] {
        guard case .step(let step) = screen, content.pages[step]?.skippable == true, activity == .idle else {
            notice = "Only terminate and confirm may be skipped: leaving them undone locks nobody out."
            return []
        }
        guard let run, run.stage == .awaitingConfirmation, run.nextStep == step else {
            notice = "Skip ends the run before this step: apply the steps before it first."
            return []
        }
        activity = .applying
        appendLog("skipped \(step.title): the run ends here, the report says what is left", Style(.warning))
        return [.stopRun]
    }

    // MARK: - Keys in a dialog

    mutating func overlayKey(_ key: Key, _ overlay: Overlay) -> [WizardCommand] {
        switch overlay {
        case .confirm(let confirmation, let typed):
            if confirmation.typeYes != nil {
                switch key {
                case .escape: self.overlay = nil
                case .backspace: self.overlay = .confirm(confirmation, typed: String(typed.dropLast()))
                case .character(let c): self.overlay = .confirm(confirmation, typed: String((typed + String(c)).suffix(8)))
                case .enter where typed == "yes": return apply(confirmation)
                case .enter: notice = "Type yes and Enter to go on, or Esc to cancel."
                default: break
                }
                return []
            }
            switch key {
            case .character("y"), .enter: return apply(confirmation)
            case .character("n"), .escape, .character("q"): self.overlay = nil
            default: break
            }
        case .keep:
            switch key {
            case .character("y"), .enter: return answerKeep(true, because: nil)
            case .character("n"), .escape, .character("q"), .interrupt: return answerKeep(false, because: nil)
            default: break
            }
        case .help, .message:
            self.overlay = nil
        case .quit(let applying):
            switch key {
            case .character("y"), .enter:
                self.overlay = nil
                if applying {
                    activity = .stopping
                    notice = "Stopping after the action under way; `pg-ssl-wizard` resumes the run."
                    return [.stopAfterCurrentEffect]
                }
                wantsQuit = true
                return [.quit]
            case .character("n"), .escape, .character("q"): self.overlay = nil
            default: break
            }
        }
        return []
    }

    mutating func apply(_ confirmation: Confirmation) -> [WizardCommand] {
        overlay = nil
        activity = .applying
        notice = nil
        appendLog("confirmed: \(confirmation.title)", Style(.key))
        return [.apply(through: confirmation.step)]
    }

    /// `why`: logged when the wizard answers by itself (the run logs the operator's answer).
    mutating func answerKeep(_ keep: Bool, because why: String?) -> [WizardCommand] {
        overlay = nil
        activity = .applying
        if let why { appendLog(why, Style(keep ? .good : .warning)) }
        return [.answerKeep(keep)]
    }

    mutating func appendLog(_ text: String, _ style: Style = .plain, at: Date? = nil) {
        log.append(LogLine(at: at ?? now, zone: clockZone, text: text, style: style))
        if log.count > 500 { log.removeFirst(log.count - 500) }
    }
}
