import ClusterFacts
import Enforcement
import Executor
import Foundation
import PostgresClient
import WizardUI

/// Carries out the wizard's commands with the run driver, one at a time on
/// its own queue, and posts what happened to the inbox. Only this queue
/// touches the driver and its connection (libpq connections are not shared
/// between threads); `requestStop` is the one call from the input loop.
final class RunWorker: @unchecked Sendable {
    struct Start {
        var plan: Plan
        var keepSeconds: Int
    }

    private let queue = DispatchQueue(label: "pg-ssl-wizard run")
    private let inbox: Inbox
    private let cluster: OpenedCluster
    private let start: Start?
    private var driver: RunDriver?
    /// Reopened at "keep these changes?" of a run whose wizard was lost: its
    /// watchdog holds the run until the answer (docs/DESIGN.md, "The keep
    /// question and its watchdog").
    private let takeover: PendingKeep?
    private let stopLock = NSLock()
    private var activeDriver: RunDriver?

    /// A new run (`start`) or a resumed one (`driver`).
    init(inbox: Inbox, cluster: OpenedCluster, start: Start?, resumed driver: RunDriver?, takeover: PendingKeep? = nil) {
        self.inbox = inbox
        self.cluster = cluster
        self.start = start
        self.driver = driver
        self.takeover = takeover
        if let driver { prepare(driver) }
    }

    func perform(_ command: WizardCommand) {
        switch command {
        case .stopAfterCurrentEffect:
            stopLock.lock()
            activeDriver?.requestStop()
            stopLock.unlock()
        case .quit:
            break
        case .apply, .answerKeep, .stopRun:
            queue.async { [self] in carryOut(command) }
        }
    }

    /// Waits for the command under way (quitting must not cut an effect in half).
    func drain() { queue.sync {} }

    private func carryOut(_ command: WizardCommand) {
        if driver == nil, let takeover, case .answerKeep(let keep) = command {
            answerForLostWizard(keep, takeover)
            return
        }
        do {
            let driver = try driverFor(command)
            switch command {
            case .apply(let through):
                if driver.state.stage == .awaitingConfirmation { try driver.send(.confirmed(through: through)) }
            case .answerKeep(let keep):
                try driver.send(keep ? .keepChanges : .revertChanges)
            case .stopRun:
                try driver.send(.stop)
            default:
                break
            }
            stopLock.lock(); activeDriver = driver; stopLock.unlock()
            let state = try driver.run()
            stopLock.lock(); activeDriver = nil; stopLock.unlock()
            inbox.post(.runIdle(state, at: Date()))
            if state.isFinished { inbox.post(.finished(FinalSummaryBuilder.summary(driver.record, plan: start?.plan))) }
        } catch {
            stopLock.lock(); activeDriver = nil; stopLock.unlock()
            inbox.post(.runFailed(operatorMessage(for: error), at: Date()))
        }
    }

    /// The answer to a question the lost wizard asked: "keep" stands the
    /// watchdog down and takes the run over here; "no" (or the countdown)
    /// has the watchdog put pg_hba.conf back now and record it.
    private func answerForLostWizard(_ keep: Bool, _ pending: PendingKeep) {
        do {
            if keep { try pending.checkKeepable() }
            let report = try pending.tell(keep ? .standDown : .revertNow)
            if keep, report != .reverted {
                let driver = try cluster.resumeLatestRun()
                prepare(driver)
                self.driver = driver
                try driver.answerKeep(true)
                let state = try driver.run()
                inbox.post(.runIdle(state, at: Date()))
                if state.isFinished { inbox.post(.finished(FinalSummaryBuilder.summary(driver.record, plan: start?.plan))) }
                return
            }
            guard let record = try RunStore(cluster.directory).latest() else { throw RunError.noRun(stateDirectory: cluster.directory.path) }
            inbox.post(.runIdle(record.state, at: Date()))
            inbox.post(.finished(FinalSummaryBuilder.summary(record, plan: start?.plan)))
        } catch {
            inbox.post(.runFailed(operatorMessage(for: error), at: Date()))
        }
    }

    /// The first confirmation starts the run: lock, staged candidates, the cluster as it was.
    private func driverFor(_ command: WizardCommand) throws -> RunDriver {
        if let driver { return driver }
        guard let start, case .apply(let through) = command else { throw RunError.noRun(stateDirectory: cluster.directory.path) }
        let driver = try cluster.startRun(start.plan, through: through, interactive: true, keepSeconds: start.keepSeconds)
        prepare(driver)
        self.driver = driver
        return driver
    }

    private func prepare(_ driver: RunDriver) {
        let inbox = self.inbox
        driver.observer = { event, state in inbox.post(.run(event, state, at: Date())) }
        driver.runner.terminationProgress = { progress in inbox.post(.termination(progress)) }
    }
}
