import ClusterFacts
import Enforcement
import Foundation
import PlanFixtures
import WizardTexts
import WizardUI

/// Wizards in known states, from plans made by the real planner on
/// snapshot values, and a run driven by the real reducer.
enum WizardFixtures {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let utc = ClockZone.utc

    /// ssl off; two plain clients from 10/8, one pinned to sslmode=disable; a standby's walsender.
    static func input(lockedOut: Bool = false) -> PlanningInput {
        var builder = SnapshotBuilder()
        builder.sessions = [
            SnapshotBuilder.client(601, address: "10.1.1.1", ssl: false, application: "billing"),
            SnapshotBuilder.client(602, address: "10.1.1.2", ssl: false, application: "reports"),
            SnapshotBuilder.client(603, user: "replicator", database: nil, address: "10.0.0.9", ssl: false, application: "standby1", walsender: true),
        ]
        if lockedOut {
            builder.ownTransport = .tcp
            builder.ownAddress = "10.0.0.5"
            builder.ownSSLMode = "disable"
        }
        return builder.input()
    }

    static func content(lockedOut: Bool = false, practice: Bool = false) throws -> WizardContent {
        let input = input(lockedOut: lockedOut)
        return WizardContent(plan: try Planner.plan(input), snapshot: input.snapshot,
                             explanations: Explanations(files: WizardTexts.explanations()), practice: practice)
    }

    static func model(rows: Int = 24, columns: Int = 80, lockedOut: Bool = false, practice: Bool = false,
                      box: BoxDrawing = .unicode) throws -> WizardModel {
        WizardModel(content: try content(lockedOut: lockedOut, practice: practice), rows: rows, columns: columns, now: start,
                    clockZone: utc, box: box)
    }

    static func plan() throws -> Plan { try Planner.plan(input()) }
}

/// The executor's side in tests: the real reducer, events fed to the model
/// as the run driver would post them.
struct SimulatedRun {
    var state: RunState
    var clock: Date

    init(plan: Plan, at clock: Date = WizardFixtures.start) {
        state = RunState(plan: plan.run, interactive: true)
        self.clock = clock
    }

    /// The model's commands carried out: a confirmation is reduced like the driver's first `send`.
    mutating func carryOut(_ commands: [WizardCommand], into model: inout WizardModel) {
        for command in commands {
            switch command {
            case .apply(let through): feed([.confirmed(through: through)], into: &model, idle: false)
            case .answerKeep(let keep): feed([keep ? .keepChanges : .revertChanges], into: &model, idle: false)
            case .stopRun: feed([.stop], into: &model, idle: false)
            default: break
            }
        }
    }

    /// Executor events, one second apart; `idle` ends with the driver returning.
    mutating func feed(_ events: [RunEvent], into model: inout WizardModel, idle: Bool = true) {
        for event in events {
            clock = clock.addingTimeInterval(1)
            reduce(event, into: &model)
        }
        if idle { _ = model.update(.runIdle(state, at: clock)) }
    }

    /// One event reduced and posted; the watchdog's effects are answered at
    /// once, in the same second, as the effect runner answers them.
    private mutating func reduce(_ event: RunEvent, into model: inout WizardModel) {
        let effects = state.reduce(event)
        _ = model.update(.tick(clock))
        _ = model.update(.run(event, state, at: clock))
        for effect in effects {
            switch effect {
            case .armWatchdog: reduce(.watchdogArmed(Self.watchdog), into: &model)
            case .startKeepCountdown(let seconds): reduce(.keepCountdownStarted(revertAt: clock.addingTimeInterval(Double(seconds))), into: &model)
            case .standDownWatchdog: reduce(.watchdogStoodDown, into: &model)
            default: break
            }
        }
    }

    static let watchdog = WatchdogArm(pid: 4242, revertAt: WizardFixtures.start.addingTimeInterval(3600), armedBy: 4000, nonce: "n1")

    static let phaseA: [RunEvent] = [.preflightPassed, .sqlSucceeded, .preReloadChecksPassed, .reloaded, .tlsProven(fingerprint: "AA", protocolVersion: "TLSv1.3")]
    static let rewrite: [RunEvent] = [.fileWritten(path: "/data/pg_hba.conf", backup: "/data/pg_hba.conf.bak-20270115T080000Z"), .preReloadChecksPassed]
    static let phaseB: [RunEvent] = [.preReloadChecksPassed, .reloaded, .testConnectionSucceeded]
}

extension WizardModel {
    /// Keys in order, their commands collected.
    mutating func press(_ keys: Key...) -> [WizardCommand] {
        keys.flatMap { update(.key($0)) }
    }
}
