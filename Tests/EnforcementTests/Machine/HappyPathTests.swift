@testable import Enforcement
import Testing

/// The whole run, event by event: every stage, effect and step status.
struct HappyPathTests {
    @Test func fullEnforcementInTwoPhases() {
        var run = RunDriver(RunFixtures.full())
        #expect(run.state.stage == .awaitingConfirmation)
        #expect(run.state.entryEffects.isEmpty)

        run.send(.confirmed(through: .confirm), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.certs: .confirmed, .sslOn: .confirmed, .hbaRewrite: .confirmed, .reloadOrRestart: .confirmed,
                           .terminateNonSSL: .confirmed, .confirm: .confirmed])
        run.send(.preflightPassed, stage: .installingCertificates, effects: [.installCertificates(RunFixtures.replacement)],
                 changes: [.certs: .applying])
        run.send(.certificatesWritten, stage: .checkingCertificates, effects: [.checkCertificates(expectedFingerprint: nil)])
        // Phase A: SSL only, its own checks, reload and proof.
        run.send(.certificatesChecked(fingerprint: "NEW"), stage: .settingSSL, effects: [.runSQL(RunFixtures.sslStatements)],
                 changes: [.certs: .verified, .sslOn: .applying])
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        run.send(.preReloadChecksPassed, stage: .reloading(.sslSettings), effects: [.reload(.sslSettings)])
        run.send(.reloaded, stage: .provingTLS, effects: [.probeTLS(expectedFingerprint: "NEW")])
        run.send(.tlsProven(fingerprint: "NEW", protocolVersion: "TLSv1.3"), stage: .movingToSSL, effects: [.reconnectWithSSL])
        // Phase B only after the wizard itself is on SSL.
        run.send(.reconnectedWithSSL, stage: .writingHBA(index: 0), effects: [.writeFile(RunFixtures.hbaWrite)],
                 changes: [.sslOn: .verified, .hbaRewrite: .applying])
        run.send(.fileWritten(path: "/data/pg_hba.conf", backup: "/data/pg_hba.conf.bak-1"), stage: .checkingCandidateHBA,
                 effects: [.checkCandidateHBA])
        run.send(.preReloadChecksPassed, stage: .checkingBeforeReload(.hostsslRules), effects: [.checkBeforeReload(.hostsslRules)],
                 changes: [.hbaRewrite: .verified, .reloadOrRestart: .applying])
        run.send(.preReloadChecksPassed, stage: .reloading(.hostsslRules), effects: [.reload(.hostsslRules)])
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        // Straight to the end of the planned sessions: the statement re-reads which are still exposed.
        run.send(.testConnectionSucceeded, stage: .terminating, effects: [.terminate(pids: [101, 102], timeoutMilliseconds: 5000)],
                 changes: [.reloadOrRestart: .verified, .terminateNonSSL: .applying])
        // 103 is not in the plan: never counted as ended even if reported.
        run.send(.terminated(ended: [101, 102, 103], remaining: []), stage: .awaitingStandbys, effects: [.awaitStandbys(["replica1"])])
        #expect(run.state.ended == [101, 102])
        run.send(.standbysStreaming(missing: []), stage: .confirming, effects: [.confirmEnforcement(RunFixtures.full().confirmation)],
                 changes: [.terminateNonSSL: .verified, .confirm: .applying])
        run.send(.confirmationFindings(problems: []), stage: .writingReport(.enforced), effects: [.writeAuditReport(.enforced)],
                 changes: [.confirm: .verified])
        run.send(.reportWritten(path: "/state/report.md"), stage: .finished(.enforced), effects: [])

        #expect(run.state.isFinished)
        #expect(run.state.backups == ["/data/pg_hba.conf": "/data/pg_hba.conf.bak-1"])
        #expect(run.state.tlsProtocol == "TLSv1.3")
        #expect(run.state.reportPath == "/state/report.md")
        #expect(run.state.warnings.isEmpty)
    }

    /// Certificates already in place and none named by the plan: the one
    /// phase A proves served is what later checks compare with (the dead-man
    /// check's TCP attempt would otherwise accept any peer's).
    @Test func theCertificateProvenServedIsExpectedFromThenOn() {
        var plan = RunFixtures.full()
        plan.initial[.certs] = .satisfied
        plan.certificates = nil
        var run = RunDriver(plan)
        run.send(.confirmed(through: .confirm), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.sslOn: .confirmed, .hbaRewrite: .confirmed, .reloadOrRestart: .confirmed,
                           .terminateNonSSL: .confirmed, .confirm: .confirmed])
        run.send(.preflightPassed, stage: .settingSSL, effects: [.runSQL(RunFixtures.sslStatements)], changes: [.sslOn: .applying])
        run.send(.sqlSucceeded, stage: .checkingBeforeReload(.sslSettings), effects: [.checkBeforeReload(.sslSettings)])
        run.send(.preReloadChecksPassed, stage: .reloading(.sslSettings), effects: [.reload(.sslSettings)])
        run.send(.reloaded, stage: .provingTLS, effects: [.probeTLS(expectedFingerprint: nil)])
        #expect(run.state.expectedFingerprint == nil)
        run.send(.tlsProven(fingerprint: "SERVED", protocolVersion: "TLSv1.3"), stage: .movingToSSL, effects: [.reconnectWithSSL])
        #expect(run.state.expectedFingerprint == "SERVED")
    }

    @Test func satisfiedStepsAreSkippedAndSessionsThatMovedToSSLAreSpared() {
        var run = RunDriver(RunFixtures.rewriteOnly())
        run.send(.confirmed(through: .confirm), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.hbaRewrite: .confirmed, .reloadOrRestart: .confirmed, .confirm: .confirmed])
        run.send(.preflightPassed, stage: .writingHBA(index: 0), effects: [.writeFile(RunFixtures.hbaWrite)], changes: [.hbaRewrite: .applying])
        run.send(.fileWritten(path: "/data/pg_hba.conf", backup: nil), stage: .checkingCandidateHBA, effects: [.checkCandidateHBA])
        run.send(.preReloadChecksPassed, stage: .checkingBeforeReload(.hostsslRules), effects: [.checkBeforeReload(.hostsslRules)],
                 changes: [.hbaRewrite: .verified, .reloadOrRestart: .applying])
        run.send(.preReloadChecksPassed, stage: .reloading(.hostsslRules), effects: [.reload(.hostsslRules)])
        run.send(.reloaded, stage: .deadManCheck, effects: [.openTestConnection(timeoutSeconds: 10)])
        run.send(.testConnectionSucceeded, stage: .confirming, effects: [.confirmEnforcement(ConfirmationExpectation())],
                 changes: [.reloadOrRestart: .verified, .confirm: .applying])
        run.send(.confirmationFindings(problems: []), stage: .writingReport(.enforced), effects: [.writeAuditReport(.enforced)],
                 changes: [.confirm: .verified])
    }

    @Test func aTerminationThatFoundNoneExposedGoesOnToConfirm() {
        var plan = RunFixtures.rewriteOnly()
        plan.initial[.terminateNonSSL] = .planned
        plan.terminate = [TerminateTarget(pid: 7)]
        var run = RunDriver(plan)
        run.state.steps = [.preflight: .satisfied, .certs: .satisfied, .sslOn: .satisfied, .hbaRewrite: .verified,
                           .reloadOrRestart: .verified, .terminateNonSSL: .confirmed, .confirm: .confirmed]
        run.steps = run.state.steps
        run.state.preflightChecked = true
        run.state.stage = .awaitingConfirmation
        run.send(.confirmed(through: .confirm), stage: .terminating, effects: [.terminate(pids: [7], timeoutMilliseconds: nil)],
                 changes: [.terminateNonSSL: .applying])
        // 7 reconnected with SSL (another pid): the statement ended nobody.
        run.send(.terminated(ended: [], remaining: []), stage: .confirming, effects: [.confirmEnforcement(ConfirmationExpectation())],
                 changes: [.terminateNonSSL: .verified, .confirm: .applying])
    }

    @Test func stepByStepConfirmationPausesBetweenSteps() {
        var run = RunDriver(RunFixtures.rewriteOnly())
        run.send(.confirmed(through: .hbaRewrite), stage: .checkingPreflight, effects: [.checkPreflight(systemIdentifier: "7000")],
                 changes: [.hbaRewrite: .confirmed])
        run.send(.preflightPassed, stage: .writingHBA(index: 0), effects: [.writeFile(RunFixtures.hbaWrite)], changes: [.hbaRewrite: .applying])
        run.send(.fileWritten(path: "/data/pg_hba.conf", backup: nil), stage: .checkingCandidateHBA, effects: [.checkCandidateHBA])
        // The rewrite is verified; its reload was not confirmed: the run waits (the file is not live yet).
        run.send(.preReloadChecksPassed, stage: .awaitingConfirmation, effects: [], changes: [.hbaRewrite: .verified])
        run.send(.confirmed(through: .reloadOrRestart), stage: .checkingBeforeReload(.hostsslRules), effects: [.checkBeforeReload(.hostsslRules)],
                 changes: [.reloadOrRestart: .applying])
    }

    @Test func stopBetweenStepsWritesTheReport() {
        var run = RunDriver(RunFixtures.rewriteOnly())
        run.send(.stop, stage: .writingReport(.stoppedBefore(.hbaRewrite)), effects: [.writeAuditReport(.stoppedBefore(.hbaRewrite))])
        run.send(.reportWritten(path: "/r"), stage: .finished(.stoppedBefore(.hbaRewrite)), effects: [])
    }

    @Test func interactiveRunAsksToKeepTheChanges() {
        var run = RunDriver(RunFixtures.rewriteOnly(), interactive: true)
        run.state.steps[.hbaRewrite] = .verified
        run.state.steps[.reloadOrRestart] = .applying
        run.steps = run.state.steps
        run.state.stage = .deadManCheck
        run.send(.testConnectionSucceeded, stage: .awaitingKeep, effects: [.startKeepCountdown(seconds: 60)])
        run.send(.keepChanges, stage: .awaitingConfirmation, effects: [], changes: [.reloadOrRestart: .verified])
    }
}
