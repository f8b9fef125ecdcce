@testable import Enforcement
import Testing

/// Run plans and a TCA-style driver: every event is sent with the stage,
/// the effects and the step statuses it must produce.
enum RunFixtures {
    static let replacement = CertificateReplacement(
        mode: .selfSigned, names: ["db.example"],
        files: [.init(role: .serverKey, path: "/data/server.key", purpose: "key", mode: 0o600, owner: "postgres", isSecret: true),
                .init(role: .serverCertificate, path: "/data/server.crt", purpose: "certificate", mode: 0o644, owner: "postgres", isSecret: false)],
        settings: ["ssl_ca_file": "/data/root.crt"])
    static let hbaWrite = FileWrite(path: "/data/pg_hba.conf", contents: Array("hostssl all all 0.0.0.0/0 scram-sha-256\n".utf8))
    static let sslStatements = ["ALTER SYSTEM SET ssl_ca_file = '/data/root.crt'", "ALTER SYSTEM SET ssl = 'on'"]
    static let sslRollback = ["ALTER SYSTEM RESET ssl_ca_file", "ALTER SYSTEM RESET ssl"]

    /// Everything to do: new certificates, SSL on, one file, two sessions (one a walsender).
    static func full(wizardMovesToSSL: Bool = true) -> RunPlan {
        RunPlan(systemIdentifier: "7000", serverMajor: 16,
                initial: [.preflight: .satisfied, .certs: .planned, .sslOn: .planned, .hbaRewrite: .planned,
                          .reloadOrRestart: .planned, .terminateNonSSL: .planned, .confirm: .planned],
                certificates: .create(replacement), expectedFingerprint: nil,
                sslStatements: sslStatements, sslRollback: sslRollback, phaseA: .reload,
                hbaWrites: [hbaWrite], phaseB: .reload,
                terminate: [TerminateTarget(pid: 101), TerminateTarget(pid: 102, walsender: true, standby: "replica1")],
                terminateTimeoutMilliseconds: 5000, deadManSeconds: 10,
                confirmation: ConfirmationExpectation(minimumTLS: "TLSv1.2", caPath: "/data/root.crt", loopbackPlainAllowed: true),
                wizardMovesToSSL: wizardMovesToSSL)
    }

    /// SSL already proven: only the rewrite and its reload.
    static func rewriteOnly() -> RunPlan {
        RunPlan(systemIdentifier: "7000", serverMajor: 13,
                initial: [.preflight: .satisfied, .certs: .satisfied, .sslOn: .satisfied, .hbaRewrite: .planned,
                          .reloadOrRestart: .planned, .terminateNonSSL: .satisfied, .confirm: .planned],
                expectedFingerprint: "AA:BB", hbaWrites: [hbaWrite], phaseB: .reload, terminateTimeoutMilliseconds: nil)
    }

    static let allPlanned: [StepName: StepStatus] = full().initial
}

/// Sends events and checks each result completely.
struct RunDriver {
    var state: RunState
    var steps: [StepName: StepStatus]

    init(_ plan: RunPlan, interactive: Bool = false, confirmByCommand: Bool = false) {
        state = RunState(plan: plan, interactive: interactive, keepSeconds: 60, confirmByCommand: confirmByCommand)
        steps = plan.initial
    }

    /// `changes`: the step statuses this event changes (all others must stay).
    mutating func send(_ event: RunEvent, stage: Stage, effects: [Effect], changes: [StepName: StepStatus] = [:],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let effectsOut = state.reduce(event)
        for (step, status) in changes { steps[step] = status }
        #expect(state.stage == stage, "stage after \(event)", sourceLocation: sourceLocation)
        #expect(effectsOut == effects, "effects after \(event)", sourceLocation: sourceLocation)
        #expect(state.steps == steps, "step statuses after \(event)", sourceLocation: sourceLocation)
        #expect(state.rejected.isEmpty, "rejected: \(state.rejected)", sourceLocation: sourceLocation)
        #expect(state.entryEffects == effects || effects.isEmpty || Self.isTerminal(stage),
                "a resumed run re-issues the stage's effects", sourceLocation: sourceLocation)
    }

    static func isTerminal(_ stage: Stage) -> Bool { if case .finished = stage { return true } else { return false } }
}
