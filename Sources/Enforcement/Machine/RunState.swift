/// A run in progress: every event journalled, the state saved before every
/// change, so a run interrupted by a crash or a closed terminal resumes where it was.
public struct RunState: Hashable, Sendable, Codable {
    /// What was changed so far: what a rollback must put back.
    public struct Applied: Hashable, Sendable, Codable {
        public var certificates = false
        public var sslStatements = false
        public var phaseALoaded = false
        public var hbaFiles: [String] = []
        public var phaseBLoaded = false
    }

    public internal(set) var plan: RunPlan
    /// The TUI asks "keep these changes?" after the dead-man check.
    public let interactive: Bool
    public let keepSeconds: Int
    /// `apply --confirm-within`: the question is answered by `pg-ssl-wizard
    /// keep` from any shell (nil in records from before it existed).
    public let confirmByCommand: Bool?
    /// The revert watchdog, from when it is armed until it stands down.
    public internal(set) var watchdog: WatchdogArm?
    /// The answer given while the watchdog stands down.
    public internal(set) var keepAnswer: Bool?
    public internal(set) var steps: [StepName: StepStatus]
    public internal(set) var stage: Stage
    public internal(set) var applied = Applied()
    public internal(set) var preflightChecked = false
    /// The certificate phase A must see served (from the plan, or the one installed).
    public internal(set) var expectedFingerprint: String?
    public internal(set) var tlsProtocol: String?
    public internal(set) var backups: [String: String] = [:]
    /// The planned pids the terminate step ended (still exposed when it ran);
    /// nil until it has, and in records from before they were kept.
    public internal(set) var ended: [Int32]?
    /// Only in records from before `ended` was kept: the pids the look before
    /// termination found still plain, which that version ended and whose
    /// standbys a run resumed at `awaitingStandbys` still waits for.
    private(set) var terminateNow: [Int32]?
    /// Things the report must say that did not stop the run (a standby not back).
    public internal(set) var warnings: [String] = []
    public internal(set) var reportPath: String?
    /// The operator's `rollback` of this run, once asked for (the stage is left as it was).
    public internal(set) var operatorRollback: OperatorRollback?
    /// Events that did not fit the stage they arrived in; they changed nothing else.
    public internal(set) var rejected: [String] = []

    public init(plan: RunPlan, interactive: Bool = false, keepSeconds: Int = 60, confirmByCommand: Bool = false) {
        self.plan = plan
        self.interactive = interactive
        self.keepSeconds = keepSeconds
        self.confirmByCommand = confirmByCommand
        steps = plan.initial
        stage = .awaitingConfirmation
        expectedFingerprint = plan.expectedFingerprint
    }

    public func status(_ step: StepName) -> StepStatus { steps[step] ?? .satisfied }

    public var isFinished: Bool { if case .finished = stage { return true } else { return false } }

    /// Someone is to answer "keep these changes?" before phase B counts.
    public var asksKeep: Bool { interactive || confirmByCommand == true }

    /// How long the watchdog is first armed for: the reload, its proof, the
    /// dead-man check and the whole countdown, with room to spare; the
    /// countdown sets the real deadline when it starts.
    var watchdogFirstDeadline: Int { plan.deadManSeconds + keepSeconds + 30 }

    /// The effects that start the current stage: a resumed run issues them again.
    public var entryEffects: [Effect] {
        if isBeingRolledBack { return operatorRollback?.next.map { [$0] } ?? [] }
        switch stage {
        case .awaitingConfirmation, .finished: return []
        case .checkingPreflight: return [.checkPreflight(systemIdentifier: plan.systemIdentifier)]
        case .fixingKeyPermissions:
            if case .fixKeyPermissions(let fix) = plan.certificates { return [.fixKeyPermissions(fix)] }
            return []
        case .installingCertificates:
            if case .create(let replacement) = plan.certificates { return [.installCertificates(replacement)] }
            return []
        case .checkingCertificates: return [.checkCertificates(expectedFingerprint: plan.expectedFingerprint)]
        case .settingSSL: return [.runSQL(plan.sslStatements)]
        case .checkingBeforeReload(let phase): return [.checkBeforeReload(phase)]
        case .reloading(let phase): return [.reload(phase)]
        case .restarting: return [.restart]
        case .provingTLS: return [.probeTLS(expectedFingerprint: expectedFingerprint)]
        case .movingToSSL: return [.reconnectWithSSL]
        case .writingHBA(let index): return [.writeFile(plan.hbaWrites[index])]
        case .checkingCandidateHBA: return [.checkCandidateHBA]
        case .armingWatchdog: return [.armWatchdog(seconds: watchdogFirstDeadline)]
        case .deadManCheck: return [.openTestConnection(timeoutSeconds: plan.deadManSeconds)]
        case .awaitingKeep: return [.startKeepCountdown(seconds: keepSeconds)]
        case .disarmingWatchdog: return [.standDownWatchdog]
        case .terminating, .refreshingSessions: return [.terminate(pids: plan.terminate.map(\.pid), timeoutMilliseconds: plan.terminateTimeoutMilliseconds)]
        case .awaitingStandbys: return [.awaitStandbys(standbys)]
        case .confirming: return [.confirmEnforcement(plan.confirmation)]
        case .rollingBack(let remaining, _, _): return remaining.first.map { [$0] } ?? []
        case .writingReport(let outcome): return [.writeAuditReport(outcome)]
        }
    }

    /// The same run with each planned file write transformed: the executor
    /// persists runs without file contents (a pg_hba.conf may hold an LDAP
    /// password) and puts them back from the staged copy on resume.
    public func mappingFileWrites(_ transform: (FileWrite) throws -> FileWrite) rethrows -> RunState {
        var copy = self
        copy.plan.hbaWrites = try plan.hbaWrites.map(transform)
        return copy
    }

    /// Standbys whose walsender the run terminates.
    var standbys: [String] {
        plan.terminate.filter { $0.walsender && (ended ?? terminateNow ?? []).contains($0.pid) }.compactMap(\.standby).filter { !$0.isEmpty }
    }
}
