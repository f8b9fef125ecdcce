import ClusterFacts
import Enforcement
import Foundation

/// The whole wizard as a value: which screen, which dialog, the run as the
/// executor last reported it, the log and the live sessions. `update`
/// changes it; `WizardView.render` draws it. Nothing here does I/O.
public struct WizardModel: Hashable, Sendable {
    public enum Screen: Hashable, Sendable {
        case preflight
        case step(StepName)
        case final
    }

    public enum Overlay: Hashable, Sendable {
        /// `typed`: what the operator typed so far when `yes` must be typed.
        case confirm(Confirmation, typed: String)
        /// "Keep these changes?" until `deadline`; then they are reverted.
        case keep(deadline: Date)
        case help
        case quit(applying: Bool)
        case message(String)
    }

    public enum Pane: Int, Hashable, Sendable, CaseIterable {
        case plan, explanation, log
    }

    public enum Activity: Hashable, Sendable {
        case idle
        case applying
        /// Quit was asked while applying: waiting for the effect under way.
        case stopping
    }

    public struct LogLine: Hashable, Sendable {
        public var at: Date
        /// The offset the line was written under.
        public var zone: ClockZone
        public var text: String
        public var style: Style
    }

    public var content: WizardContent
    public internal(set) var run: RunState?
    public internal(set) var screen: Screen = .preflight
    public internal(set) var overlay: Overlay?
    public internal(set) var activity: Activity = .idle
    public internal(set) var log: [LogLine] = []
    public internal(set) var sessions: LiveSessions?
    public internal(set) var sessionsProblem: String?
    /// The terminate step's progress: ended between transactions, still busy, cut.
    public internal(set) var termination: TerminationProgress?
    /// When phase A proved TLS: a client that connects in plain text after it is pinned to plain text.
    public internal(set) var sslOfferedSince: Date?
    public internal(set) var focus: Pane = .plan
    public internal(set) var scroll: [Pane: Int] = [:]
    /// `d`: the plan pane takes the whole body.
    public internal(set) var maximized = false
    public internal(set) var rows: Int
    public internal(set) var columns: Int
    public internal(set) var now: Date
    public internal(set) var clockZone: ClockZone
    public var box: BoxDrawing
    public internal(set) var final: FinalSummary?
    /// A line above the footer: what just happened or why a key did nothing.
    public internal(set) var notice: String?
    public internal(set) var wantsQuit = false

    public init(content: WizardContent, rows: Int = 24, columns: Int = 80, now: Date, clockZone: ClockZone = .utc,
                box: BoxDrawing = .unicode, resuming run: RunState? = nil, runName: String? = nil) {
        self.content = content
        self.rows = rows
        self.columns = columns
        self.now = now
        self.clockZone = clockZone
        self.box = box
        if let run {
            self.run = run
            screen = .step(run.currentStep ?? .confirm)
            notice = "Run \(runName ?? "") was interrupted before it finished: Enter continues it at \(run.currentStep?.title ?? "the end")."
            // Reopened at the question: the watchdog's deadline, not a new countdown.
            if case .awaitingKeep = run.stage { overlay = .keep(deadline: run.watchdog?.revertAt ?? now.addingTimeInterval(Double(run.keepSeconds))) }
        }
    }

    /// The steps in order, then the final screen: what left/right walk through.
    static let screens: [Screen] = [.preflight] + StepName.allCases.filter { $0 != .preflight }.map { .step($0) } + [.final]

    /// A step's status: the run's once there is one, else the plan's.
    public func status(_ step: StepName) -> StepStatus {
        if let run { return run.status(step) }
        return content.pages[step]?.planned ?? .satisfied
    }
}

extension RunState {
    /// The step being applied, or the next one to do.
    var currentStep: StepName? {
        StepName.allCases.first { status($0) == .applying || status($0) == .failed } ?? nextStep
    }
}
