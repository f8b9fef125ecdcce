import ArgumentParser
import Executor

/// How long a run waits for others: sessions to reach a transaction
/// boundary, standbys to stream again. Shared by the wizard and `apply`.
struct RunTimingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds within which each plain session is ended at its first moment between transactions; those still inside one at the end are cut, and the report says so.",
                               discussion: "Idle sessions are ended at once whatever the grace; 0 ends every session at once."))
    var grace = RunContext.defaultGraceSeconds
    @Option(help: "Seconds to wait for a standby to stream again over SSL.") var standbyWait = RunOptions.defaults.standbyWaitSeconds

    func validate() throws {
        if grace < 0 || standbyWait < 0 { throw ValidationError("--grace and --standby-wait must not be negative") }
    }

    /// What the run keeps in its record and `resume` honours.
    var runOptions: RunOptions { RunOptions(graceSeconds: grace, standbyWaitSeconds: standbyWait) }
}
