import ArgumentParser
import Enforcement
import Executor
import Foundation
import PostgresClient

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out the plan without questions: the same checks, proofs and automatic rollbacks as the wizard.",
        discussion: """
            Plans exactly as `plan` does with the same options, refuses a blocked plan (exit 11), then runs \
            each step with its checks: two separate reloads, each proven; a TLS handshake serving the expected \
            certificate; the dead-man connection after the rewrite; termination of the plain sessions; the \
            live refusal test. A failed step puts its phase back automatically. Every effect goes to a \
            journal under the state directory; `resume` continues an interrupted run, `rollback` undoes one. \
            Exit 0 done (or stopped at --through), 1 failed and put back, 2 incomplete, 4 rollback failed, \
            11 blocked, 3 errors.
            """)

    @Argument(help: "libpq connection string or URI (PG* variables, .pgpass and services apply).")
    var conninfo: String = ""

    @Flag(help: "Confirm every step of the plan (required: apply asks no questions).") var yes = false
    @Option(help: "Stop after this step: preflight, certs, ssl_on, hba_rewrite, reload_or_restart, terminate_non_ssl, confirm.")
    var through: String = StepName.confirm.rawValue
    @Flag(help: "Print the outcome as JSON (no progress lines).") var json = false
    @OptionGroup var timing: RunTimingOptions
    @Option(name: .customLong("confirm-within"),
            help: "Commit-confirmed: return once the new rules are live and proven; unless `pg-ssl-wizard keep` comes within this many seconds, a watchdog puts pg_hba.conf back.")
    var confirmWithin: Int?
    @Option(help: "Once SSL is on (phase A), watch this many seconds for clients that still connect in plain text (pinned to sslmode=disable or allow): the rewrite would refuse them, so the run stops there (exit 11) unless --refuse-pinned-clients.")
    var observe: Int?
    @Flag(help: "With --observe: go on with the rewrite even if pinned clients were seen (they are refused from then on).")
    var refusePinnedClients = false
    @OptionGroup var planning: PlanningOptions

    func validate() throws {
        guard yes else { throw ValidationError("apply changes the server: review `pg-ssl-wizard plan` first, then add --yes") }
        guard StepName(rawValue: through) != nil else {
            throw ValidationError("--through \(through): use one of " + StepName.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let confirmWithin, confirmWithin < 5 || confirmWithin > 86_400 { throw ValidationError("--confirm-within \(confirmWithin): use 5 to 86400 seconds") }
        if let observe {
            if observe < 1 || observe > 86_400 { throw ValidationError("--observe \(observe): use 1 to 86400 seconds") }
            if let step = StepName(rawValue: through), step < .hbaRewrite {
                throw ValidationError("--observe watches after SSL is on and before the rewrite: use it with --through hba_rewrite or later")
            }
        }
        if refusePinnedClients && observe == nil { throw ValidationError("--refuse-pinned-clients goes with --observe S") }
    }

    func run() throws {
        let driver = try failingWithUnknown { () throws -> RunDriver in
            let (cluster, input) = try OpenedCluster.openForPlanning(operatorTarget(conninfo), planOptions: try planning.planOptions(),
                                                                     certificates: planning.certificates, options: timing.runOptions)
            let plan = try Planner.plan(input)
            if plan.blocked {
                TerminalText.write(("pg-ssl-wizard: " + RunError.planBlocked(plan.blockingReasons.map(\.text)).operatorMessage + "\n"), to: .standardError)
                throw ExitCode(11)
            }
            if plan.nothingToDo { print(RunError.nothingToDo.operatorMessage); throw ExitCode(0) }
            if plan.filesManual {
                if case .unreadable(let reason) = input.hba { throw RunError.filesNotReachable(reason) }
                throw RunError.filesNotReachable(input.snapshot.fileAccess.problem ?? "the server is on another host")
            }
            return try cluster.startRun(plan, through: observe == nil ? (StepName(rawValue: through) ?? .confirm) : .sslOn,
                                        keepSeconds: confirmWithin ?? 60, confirmByCommand: confirmWithin != nil)
        }
        driver.observer = RunOutput.progress(json: json)
        if !json { TerminalText.write("run \(driver.record.run): journal \(driver.journalPath)\n", to: .standardOutput) }
        _ = try failingWithUnknown { try driver.run() }
        if let observe, driver.state.stage == .awaitingConfirmation {
            try RunOutput.observe(driver, seconds: observe, refusePinned: refusePinnedClients, json: json)
            _ = try failingWithUnknown { () throws in
                try driver.send(.confirmed(through: StepName(rawValue: through) ?? .confirm))
                _ = try driver.run()
            }
        }
        try RunOutput.finish(driver, json: json)
    }
}
