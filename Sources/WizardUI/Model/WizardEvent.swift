import ClusterFacts
import Enforcement
import Foundation

/// Everything that reaches `WizardModel.update`: keys and the terminal,
/// the clock, and what the executor reports back.
public enum WizardEvent: Hashable, Sendable {
    case key(Key)
    case resize(rows: Int, columns: Int)
    /// About once a second: the countdown and the session view's age.
    case tick(Date)
    /// The machine's offset from UTC, when it changes (summer time): new log lines show it.
    case clockZone(ClockZone)
    /// One event of the run, as the driver reduced it.
    case run(RunEvent, RunState, at: Date)
    /// The driver returned: it waits for the operator, finished, or stopped as asked.
    case runIdle(RunState, at: Date)
    /// The run could not go on (its journal could not be written, the connection died).
    case runFailed(String, at: Date)
    /// The run ended; what the final screen shows.
    case finished(FinalSummary)
    /// A fresh read of the sessions, made off the input loop.
    case sessions(LiveSessions)
    /// The terminate step's latest look while it waits for transaction boundaries.
    case termination(TerminationProgress)
    case sessionsUnavailable(String)
}

/// What `update` asks the outside world to do; the wizard's runtime carries
/// these out on its worker and answers with events.
public enum WizardCommand: Hashable, Sendable {
    /// Start the run (or continue it) with every planned step through this one confirmed.
    case apply(through: StepName)
    /// The operator's answer to "keep these changes?" (false also when the countdown ran out).
    case answerKeep(Bool)
    /// Stop the run here, leaving the later steps undone (skip).
    case stopRun
    /// Quit while applying: return after the effect under way; `resume` continues.
    case stopAfterCurrentEffect
    case quit
}
