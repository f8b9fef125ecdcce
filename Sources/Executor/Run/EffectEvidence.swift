import Foundation

/// What an effect saw besides the event that answers it: the moments the
/// exposure window is measured between, the sessions it ended, the
/// confirmation's findings, the cluster after the run. Handlers return it as
/// a value; the driver keeps it in the run record, so no handler writes the
/// record and the reducer stays the only writer of the run's state.
public struct EffectEvidence: Hashable, Sendable {
    /// Phase B's reload was sent now.
    public var hostsslLiveAt: Date?
    /// When the postmaster loaded the hostssl rules, by the server's clock.
    public var hostsslLoadedAt: Double?
    /// No planned plain session was left at this moment (the first such moment counts).
    public var lastPlainGoneAt: Date?
    public var terminated: [TerminatedSession] = []
    /// 18: logins in progress under the old rules, ended.
    public var endedLogins: [EndedLogin] = []
    public var confirmation: ConfirmationEvidence?
    /// The cluster as the report describes it after the run.
    public var after: ClusterEvidence?
    public var finishedAt: Date?

    public init() {}

    public static let none = EffectEvidence()
}

extension RunRecord {
    /// The evidence an effect returned, kept.
    mutating func keep(_ evidence: EffectEvidence) {
        if let at = evidence.hostsslLiveAt { milestones.hostsslLiveAt = at }
        if let at = evidence.hostsslLoadedAt { milestones.hostsslLoadedAt = at }
        if let at = evidence.lastPlainGoneAt, milestones.lastPlainGoneAt == nil { milestones.lastPlainGoneAt = at }
        terminated += evidence.terminated
        if !evidence.endedLogins.isEmpty { endedLogins = (endedLogins ?? []) + evidence.endedLogins }
        if let confirmation = evidence.confirmation { self.confirmation = confirmation }
        if let after = evidence.after { self.after = after }
        if let at = evidence.finishedAt { milestones.finishedAt = at }
    }
}
