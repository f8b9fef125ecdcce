import Certificates
import ClusterFacts
import Enforcement
import Foundation
import HostIO

/// The audit report of one run, as JSON and Markdown: what was there
/// before, what was done, what is there now and the proof. Built from the
/// run record alone (no file contents, no passwords).
public struct AuditReport: Codable, Hashable, Sendable {
    public var run: String
    public var systemIdentifier: String
    public var serverMajor: Int
    public var connection: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var outcome: String
    public var steps: [String: String]
    public var exposureWindowSeconds: Double?
    public var before: ClusterEvidence
    public var after: ClusterEvidence?
    public var backups: [String: String]
    public var terminated: [TerminatedSession]
    /// 18: logins in progress under the old rules that the run ended (no user yet).
    public var endedLogins: [EndedLogin]
    public var confirmation: ConfirmationEvidence?
    public var warnings: [String]
    public var clientConnectionStrings: [ClientConnectionStrings]
    public var clientGuidance: String
    /// Seconds each completed step took, by machine name.
    public var stepSeconds: [String: Double]
    /// The root certificate this run made for clients (PEM, public), to hand out.
    public var rootCertificatePEM: String?
    /// The compliance items judged on the run's confirmation (docs/POSTGRES.md, "Compliance items").
    public var compliance: [ComplianceItem]?

    public init(_ record: RunRecord, outcome: RunOutcome) {
        let state = record.state
        run = record.run
        systemIdentifier = state.plan.systemIdentifier
        serverMajor = state.plan.serverMajor
        connection = record.connection
        startedAt = record.startedAt
        finishedAt = record.milestones.finishedAt
        self.outcome = Self.describe(outcome)
        steps = Dictionary(uniqueKeysWithValues: StepName.allCases.map { ($0.rawValue, state.status($0).rawValue) })
        exposureWindowSeconds = record.milestones.exposureWindowSeconds
        stepSeconds = record.milestones.stepSeconds
        before = Self.maskingSecrets(record.before)
        after = record.after.map(Self.maskingSecrets)
        backups = state.backups
        terminated = record.terminated
        endedLogins = record.endedLogins ?? []
        confirmation = record.confirmation
        warnings = state.warnings
        let ca = state.plan.confirmation.caPath
        clientConnectionStrings = ca.map { ClientConnectionStrings.make(names: record.clientNames, port: record.port, database: "DBNAME",
                                                                          user: "USER", rootCertificate: $0) } ?? []
        if case .create(let replacement) = state.plan.certificates, let root = replacement.path(of: .rootCertificate),
           let bytes = try? HostFile.read(root, limit: 64 * 1024) {
            rootCertificatePEM = String(decoding: bytes, as: UTF8.self)
        }
        compliance = Self.complianceFacts(record).map(Compliance.items)
        if let ca {
            clientGuidance = "Copy \(ca) to each client as its root certificate and connect with sslmode=verify-full; sslmode=require encrypts but does not prove the server's identity, and prefer silently falls back to plain text."
                + (ClientConnectionStrings.ipAddressNote(names: record.clientNames).map { " Note: \($0)." } ?? "")
        } else {
            clientGuidance = "Give clients the CA that signed the server certificate and use sslmode=verify-full; sslmode=prefer (libpq's default) silently falls back to plain text where a rule allows it."
        }
    }

    /// What the run proved at its confirmation: the settings after, phase A's TLS proof, the live
    /// plain-text login, the walsenders after, the key file the certs step checked, the certificate's expiry.
    static func complianceFacts(_ record: RunRecord) -> ComplianceFacts? {
        guard let after = record.after, let confirmation = record.confirmation else { return nil }
        let state = record.state
        let proved: Set<StepStatus> = [.verified, .satisfied]
        let negative = confirmation.negativeTest
        return ComplianceFacts(
            sslOn: after.settings["ssl"] == "on", tlsWorks: proved.contains(state.status(.sslOn)) && after.settings["ssl"] == "on",
            minimumTLS: after.settings["ssl_min_protocol_version"] ?? "TLSv1.2",
            plainLoginRefused: negative.hasPrefix("refused") ? true : negative.hasPrefix("not applicable") ? nil : false,
            plainLoginEvidence: negative,
            walsenders: Array(repeating: ("standby", true), count: after.counts.walsendersSSL)
                + Array(repeating: ("standby", false), count: after.counts.walsendersNonSSL),
            keyFileProblems: proved.contains(state.status(.certs)) ? [] : nil,
            certificateExpiry: after.certificateNotAfter.map {
                CertificateExpiry(subject: "the server certificate", notAfter: $0, now: after.takenAt, warnDays: 30, criticalDays: 7)
            })
    }

    public static func describe(_ outcome: RunOutcome) -> String {
        switch outcome {
        case .enforced: return "enforced: every planned step verified"
        case .stoppedBefore(let step): return "stopped before \(step.title) as asked"
        case .failedBeforeChange(let step, let reason): return "failed at \(step.title) before any change: \(reason)"
        case .rolledBack(let step, let reason): return "rolled back after \(step.title) failed: \(reason)"
        case .rollbackFailed(let step, let reason): return "ROLLBACK FAILED after \(step.title): \(reason); run `pg-ssl-wizard rollback`"
        case .incomplete(let step, let reason): return "incomplete at \(step.title): \(reason)"
        }
    }

    /// The evidence with secret setting values (ssl_passphrase_command) masked.
    static func maskingSecrets(_ evidence: ClusterEvidence) -> ClusterEvidence {
        var masked = evidence
        masked.settings = SecretSettings.masked(evidence.settings)
        return masked
    }

    public func json() -> [UInt8] {
        Array(ReportJSON.text(self).utf8) + [UInt8(ascii: "\n")]
    }
}
