import Enforcement
import Foundation

extension WizardModel {
    /// What the executor reports: the run's new state, the end of a burst of
    /// effects, a failure, the final summary.
    mutating func runUpdate(_ event: WizardEvent) -> [WizardCommand] {
        switch event {
        case .run(let runEvent, let state, let at):
            run = state
            if case .tlsProven = runEvent, sslOfferedSince == nil { sslOfferedSince = at }
            appendLog(runEvent.summary, Self.style(of: runEvent), at: at)
            if let step = StepName.allCases.first(where: { state.status($0) == .applying }) { show(.step(step)) }
            if case .awaitingKeep = state.stage {
                // The countdown the watchdog keeps; without a watchdog, the question's own.
                if case .keepCountdownStarted(let revertAt) = runEvent {
                    overlay = .keep(deadline: revertAt)
                } else if state.watchdog == nil, !isAskingKeep {
                    overlay = .keep(deadline: at.addingTimeInterval(Double(state.keepSeconds)))
                }
            }
        case .runIdle(let state, _):
            run = state
            if activity == .stopping {
                wantsQuit = true
                return [.quit]
            }
            switch state.stage {
            case .awaitingKeep:
                activity = .idle
                if !isAskingKeep { overlay = .keep(deadline: state.watchdog?.revertAt ?? now.addingTimeInterval(Double(state.keepSeconds))) }
            case .awaitingConfirmation:
                activity = .idle
                if let next = state.nextStep { show(.step(next)) }
            case .finished:
                activity = .idle
            default:
                activity = .idle
            }
        case .runFailed(let why, let at):
            appendLog("the run stopped: \(why)", Style(.bad, bold: true), at: at)
            if activity == .stopping { wantsQuit = true; return [.quit] }
            activity = .idle
            overlay = .message("The run stopped: \(why)\n\nIts state is saved: start `pg-ssl-wizard` again to resume it, or `pg-ssl-wizard rollback`.")
        case .finished(let summary):
            final = summary
            activity = .idle
            show(.final)
        default:
            break
        }
        return []
    }

    var isAskingKeep: Bool {
        if case .keep = overlay { return true }
        return false
    }

    static func style(of event: RunEvent) -> Style {
        switch event {
        case .preflightFailed, .certificatesFailed, .sqlFailed, .preReloadChecksFailed, .reloadNotTaken, .restartFailed, .tlsFailed,
             .reconnectFailed, .fileWriteFailed, .testConnectionFailed, .undoFailed:
            return Style(.bad, bold: true)
        case .confirmationFindings(let problems): return Style(problems.isEmpty ? .good : .bad)
        case .tlsProven, .testConnectionSucceeded, .reloaded, .reconnectedWithSSL: return Style(.good)
        case .restored, .revertChanges: return Style(.warning)
        default: return .plain
        }
    }
}
