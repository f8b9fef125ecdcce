import ClusterFacts

/// The executable part of a plan: what the state machine carries out, as
/// plain values so a run can be persisted and resumed.
public struct RunPlan: Hashable, Sendable, Codable {
    public var systemIdentifier: String
    public var serverMajor: Int
    /// Each step's status as planned: satisfied or planned.
    public var initial: [StepName: StepStatus]
    public var certificates: CertificateWork?
    /// The certificate phase A must see served; replaced by the one installed.
    public var expectedFingerprint: String?
    /// ALTER SYSTEM statements of phase A, in order (empty when only a reload is needed).
    public var sslStatements: [String]
    /// Statements that undo `sslStatements`.
    public var sslRollback: [String]
    public var phaseA: ReloadDecision.Action
    public var hbaWrites: [FileWrite]
    public var phaseB: ReloadDecision.Action
    public var terminate: [TerminateTarget]
    /// When each planned backend started, by pid, where the plan knows it:
    /// what the terminate step and the wizard's count tell a reused pid by.
    public var terminateStarts: [Int32: Int64] {
        terminate.reduce(into: [:]) { $0[$1.pid] = $1.backendStartMicroseconds }
    }
    public var terminateTimeoutMilliseconds: Int?
    public var deadManSeconds: Int
    public var confirmation: ConfirmationExpectation
    /// The wizard's connection is plain today and reconnects with SSL after phase A.
    public var wizardMovesToSSL: Bool

    public init(systemIdentifier: String, serverMajor: Int, initial: [StepName: StepStatus], certificates: CertificateWork? = nil,
                expectedFingerprint: String? = nil, sslStatements: [String] = [], sslRollback: [String] = [],
                phaseA: ReloadDecision.Action = .none, hbaWrites: [FileWrite] = [], phaseB: ReloadDecision.Action = .none,
                terminate: [TerminateTarget] = [], terminateTimeoutMilliseconds: Int? = 5000, deadManSeconds: Int = 10,
                confirmation: ConfirmationExpectation = ConfirmationExpectation(), wizardMovesToSSL: Bool = false) {
        self.systemIdentifier = systemIdentifier
        self.serverMajor = serverMajor
        self.initial = initial
        self.certificates = certificates
        self.expectedFingerprint = expectedFingerprint
        self.sslStatements = sslStatements
        self.sslRollback = sslRollback
        self.phaseA = phaseA
        self.hbaWrites = hbaWrites
        self.phaseB = phaseB
        self.terminate = terminate
        self.terminateTimeoutMilliseconds = terminateTimeoutMilliseconds
        self.deadManSeconds = deadManSeconds
        self.confirmation = confirmation
        self.wizardMovesToSSL = wizardMovesToSSL
    }
}

public enum CertificateWork: Hashable, Sendable, Codable {
    case fixKeyPermissions(KeyPermissionFix)
    case create(CertificateReplacement)
}

/// A whole-file replacement (written atomically, with a backup, by the executor).
public struct FileWrite: Hashable, Sendable, Codable {
    public var path: String
    public var contents: [UInt8]
    public var mode: UInt32?

    public init(path: String, contents: [UInt8], mode: UInt32? = nil) {
        self.path = path
        self.contents = contents
        self.mode = mode
    }
}

public struct TerminateTarget: Hashable, Sendable, Codable {
    public var pid: Int32
    public var walsender: Bool
    /// application_name of a walsender: the standby to wait for.
    public var standby: String?
    /// When the planned backend started (the server's microseconds since
    /// 1970): a session under the same pid that started at another moment
    /// is another one, which the step leaves alone (docs/POSTGRES.md,
    /// "Ending a session between transactions"). nil in records written
    /// before it was kept: the pid is taken as it is.
    public var backendStartMicroseconds: Int64?

    public init(pid: Int32, walsender: Bool = false, standby: String? = nil, backendStartMicroseconds: Int64? = nil) {
        self.pid = pid
        self.walsender = walsender
        self.standby = standby
        self.backendStartMicroseconds = backendStartMicroseconds
    }
}

/// What the confirm step must see.
public struct ConfirmationExpectation: Hashable, Sendable, Codable {
    public var minimumTLS: String
    /// A CA to run a positive `verify-full` test with.
    public var caPath: String?
    /// Plain-text loopback sessions are allowed by policy (loopback rules kept).
    public var loopbackPlainAllowed: Bool

    public init(minimumTLS: String = "TLSv1.2", caPath: String? = nil, loopbackPlainAllowed: Bool = true) {
        self.minimumTLS = minimumTLS
        self.caPath = caPath
        self.loopbackPlainAllowed = loopbackPlainAllowed
    }
}
