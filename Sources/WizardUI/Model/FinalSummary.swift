/// What the final screen shows, taken from the run record and its audit
/// report by the runtime (the model never reads files).
public struct FinalSummary: Hashable, Sendable {
    public var outcome: String
    public var enforced: Bool
    /// The proof: plain sessions left, TLS versions, the refused plain-text attempt, verify-full.
    public var proof: [String]
    public var reportPath: String?
    /// "live file <- backup".
    public var backups: [String]
    public var connectionStrings: [String]
    public var warnings: [String]
    /// Practice mode: the steps in the order done and what was avoided.
    public var debrief: [String]

    public init(outcome: String, enforced: Bool, proof: [String] = [], reportPath: String? = nil, backups: [String] = [],
                connectionStrings: [String] = [], warnings: [String] = [], debrief: [String] = []) {
        self.outcome = outcome
        self.enforced = enforced
        self.proof = proof
        self.reportPath = reportPath
        self.backups = backups
        self.connectionStrings = connectionStrings
        self.warnings = warnings
        self.debrief = debrief
    }
}
