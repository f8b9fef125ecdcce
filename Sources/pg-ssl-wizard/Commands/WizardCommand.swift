import ArgumentParser
import Foundation
import PostgresClient
import WizardApp

/// `pg-ssl-wizard [CONNINFO]`: the ncurses wizard, the default command.
struct OpenWizardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wizard",
        abstract: "Open the wizard (the default): every step inspected, planned, shown, confirmed, applied and verified.",
        discussion: """
            Walks through preflight, certs, ssl_on, hba_rewrite, reload_or_restart, terminate_non_ssl and confirm. \
            Nothing changes until a step is confirmed; restart and terminating walsenders ask you to type yes. After \
            the rewrite is live you keep the changes within --keep-seconds or they are reverted. Quitting between \
            steps keeps the run: the next start resumes it at the step where it stopped. Exit codes as for apply.
            """)

    @Argument(help: "libpq connection string or URI (PG* variables, .pgpass and services apply).")
    var conninfo: String = ""
    @Option(help: "Seconds to answer \"keep these changes?\" after the rewrite is live before they are reverted.")
    var keepSeconds = 60
    @OptionGroup var timing: RunTimingOptions
    @OptionGroup var planning: PlanningOptions

    func validate() throws {
        if keepSeconds < 5 || keepSeconds > 3600 { throw ValidationError("--keep-seconds \(keepSeconds): use 5 to 3600") }
    }

    func run() throws {
        let code = try failingWithUnknown {
            let options = WizardOptions(target: try operatorTarget(conninfo), planOptions: try planning.planOptions(),
                                        certificates: planning.certificates, keepSeconds: keepSeconds, run: timing.runOptions)
            return try WizardRuntime.run(options)
        }
        throw ExitCode(code)
    }
}
