import Certificates
import ClusterFacts
import Enforcement
import Executor
import Foundation
import PlanningInputs
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
    /// `--grace` and `--standby-wait`.
    public var run: RunOptions
    public var practice: Bool
    /// Practice mode: the scenario and the goal the trainee must reach, shown first.
    public var scenarioGoal: String?

    public init(target: ConnectionTarget, planOptions: PlanOptions, certificates: CertificateChoice, keepSeconds: Int = 60,
                run: RunOptions = .defaults, practice: Bool = false, scenarioGoal: String? = nil) {
        self.target = target
        self.planOptions = planOptions
        self.certificates = certificates
        self.keepSeconds = keepSeconds
        self.run = run
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
        let (cluster, input) = try OpenedCluster.openForPlanning(options.target, planOptions: options.planOptions,
                                                                 certificates: options.certificates, options: options.run)
        let plan = try Planner.plan(input)
        let content = WizardContent(plan: plan, snapshot: cluster.snapshot, explanations: Explanations(files: WizardTexts.explanations()),
                                    practice: options.practice, goal: options.scenarioGoal)
        // The question of a wizard that was lost, its watchdog still holding the run: ask it again, with the time left.
        if let pending = PendingKeep.find(cluster.directory), case .armed = pending.guarding, !pending.armerIsAlive, pending.canKeep {
            let worker = RunWorker(inbox: inbox, cluster: cluster, start: nil, resumed: nil, takeover: pending)
            return WizardLaunch(content: content, worker: worker, resumed: nil, resumedState: pending.record.state, runName: pending.record.run, plan: plan)
        }
        if let saved = try RunStore(cluster.directory).latest(), !saved.state.isFinished, saved.rolledBackAt == nil {
            let driver = try cluster.resumeLatestRun()
            return WizardLaunch(content: content, worker: RunWorker(inbox: inbox, cluster: cluster, start: nil, resumed: driver),
                                resumed: driver, resumedState: driver.state, runName: driver.record.run, plan: plan)
        }
        let start = RunWorker.Start(plan: plan, keepSeconds: options.keepSeconds)
        return WizardLaunch(content: content, worker: RunWorker(inbox: inbox, cluster: cluster, start: start, resumed: nil),
                            resumed: nil, resumedState: nil, runName: nil, plan: plan)
    }
}
