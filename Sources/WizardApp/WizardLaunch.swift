import Certificates
import ClusterFacts
import Enforcement
import Executor
import Foundation
import PostgresClient
import WizardTexts
import WizardUI

/// What the wizard is opened with: the connection and the same planning
/// options as `plan` and `apply`.
public struct WizardOptions: Sendable {
    public var target: ConnectionTarget
    public var planOptions: PlanOptions
    /// New certificate files when none are usable; the wizard plans a local CA if this is nil.
    public var certificates: CertificateChoice
    public var keepSeconds: Int
    public var graceSeconds: Int
    public var standbyWaitSeconds: Int
    public var practice: Bool
    /// Practice mode: the scenario and the goal the trainee must reach, shown first.
    public var scenarioGoal: String?

    public init(target: ConnectionTarget, planOptions: PlanOptions, certificates: CertificateChoice, keepSeconds: Int = 60,
                graceSeconds: Int = RunContext.defaultGraceSeconds, standbyWaitSeconds: Int = 60, practice: Bool = false, scenarioGoal: String? = nil) {
        self.target = target
        self.planOptions = planOptions
        self.certificates = certificates
        self.keepSeconds = keepSeconds
        self.graceSeconds = graceSeconds
        self.standbyWaitSeconds = standbyWaitSeconds
        self.practice = practice
        self.scenarioGoal = scenarioGoal
    }
}

/// Everything read before the terminal is taken over, so a bad connection
/// string or an unreachable server is one plain line on stderr.
struct WizardLaunch {
    var content: WizardContent
    var worker: RunWorker
    var resumed: RunDriver?
    /// The run the wizard reopens (a resumed driver's, or one waiting for "keep").
    var resumedState: RunState?
    var runName: String?
    var plan: Plan

    static func prepare(_ options: WizardOptions, inbox: Inbox) throws -> WizardLaunch {
        let connection = try Connection.connect(options.target)
        let input = try PlanningInputReader.read(options.target, connection: connection, options: options.planOptions,
                                                 certificates: options.certificates)
        let plan = try Planner.plan(input)
        let snapshot = input.snapshot
        let directory = try StateDirectory.forCluster(systemIdentifier: snapshot.server.systemIdentifier)
        let content = WizardContent(plan: plan, snapshot: snapshot, explanations: Explanations(files: WizardTexts.explanations()),
                                    practice: options.practice, goal: options.scenarioGoal)
        let inbox = inbox
        let resumeContext: (String) -> RunContext = { run in
            RunContext(target: options.target, snapshot: snapshot, stamp: run,
                       graceSeconds: options.graceSeconds, standbyWaitSeconds: options.standbyWaitSeconds)
        }
        // The question of a wizard that was lost, its watchdog still holding the run: ask it again, with the time left.
        if let pending = PendingKeep.find(directory), case .armed = pending.guarding, !pending.armerIsAlive, pending.canKeep {
            let takeover = RunWorker.Takeover(pending: pending, directory: directory, context: resumeContext)
            return WizardLaunch(content: content, worker: RunWorker(inbox: inbox, connection: connection, start: nil, resumed: nil, takeover: takeover),
                                resumed: nil, resumedState: pending.record.state, runName: pending.record.run, plan: plan)
        }
        if let saved = try RunStore(directory).latest(), !saved.state.isFinished, saved.rolledBackAt == nil {
            let driver = try RunDriver.resume(context: resumeContext, connection: connection, directory: directory)
            return WizardLaunch(content: content, worker: RunWorker(inbox: inbox, connection: connection, start: nil, resumed: driver),
                                resumed: driver, resumedState: driver.state, runName: driver.record.run, plan: plan)
        }
        let context = RunContext(target: options.target, snapshot: snapshot, stamp: AtomicFileWriter.timestamp(),
                                 graceSeconds: options.graceSeconds, standbyWaitSeconds: options.standbyWaitSeconds)
        let start = RunWorker.Start(plan: plan, context: context, directory: directory,
                                    clientNames: ServerSSLFiles.hostNames() + ServerSSLFiles.from(snapshot).listenNames,
                                    keepSeconds: options.keepSeconds)
        return WizardLaunch(content: content, worker: RunWorker(inbox: inbox, connection: connection, start: start, resumed: nil),
                            resumed: nil, resumedState: nil, runName: nil, plan: plan)
    }
}
