import Dispatch
import ClusterFacts
import HBA

/// The dry run: from what inspection found, every file, statement and
/// session the run would touch, step by step, and the lock-out verdict.
/// Pure: the same input always gives the same plan, and nothing changes.
public enum Planner {
    public static func plan(_ input: PlanningInput) throws(PlanInputError) -> Plan {
        try validate(input)
        let snapshot = input.snapshot
        let certificates = CertificatePlanner.plan(input.certificates)
        let settings = SettingsPlanner.plan(input, certificatesChange: certificates.changesFiles)
        let hba = HBAPlanner.plan(input)
        let environment = matchEnvironment(input)
        // Between the phases the old rules apply with SSL on: hostssl lines start matching.
        let betweenPhases = hba.current.context.sslEnabled ? hba.current
            : hba.current.reparsed(in: ParseContext(syntax: hba.current.context.syntax, build: input.build, sslEnabled: true,
                                                    interfaceNames: input.interfaceNames),
                                   files: hba.files)
        let lockoutGuard = LockoutGuard(current: betweenPhases, candidate: hba.candidate, environment: environment,
                                        policy: input.options.rewritePolicy, raisedTLSFloor: settings.raisedTLSFloor)
        let identities = IdentityCollector(input: input).identities()
        let wizardPlain = snapshot.own.transport == .tcp && !snapshot.own.ssl && !snapshot.own.gssEncrypted
        let verdict = lockoutGuard.verdict(for: identities.protected, wizardPlainToday: wizardPlain)
        // The two largest parts of a large plan do not depend on each other: the impact
        // preview matches every session against both rule sets, the diff compares the
        // file's lines. Each takes one core (on 10,000 rules and 5,000 sessions, about a
        // third and a fifth of the plan).
        let parts = ConcurrentParts()
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 1 {
                parts.hbaDiffs = PlanAssembly.diffs(of: hba)
                return
            }
            parts.impact = ImpactPreview(snapshot: snapshot,
                                   current: hba.current.context.sslEnabled ? lockoutGuard.currentMatcher
                                       : Matcher(document: hba.current, environment: environment),
                                   candidate: lockoutGuard.candidateMatcher,
                                   options: input.options, tlsOfferedToday: input.tls.works,
                                   raisedTLSFloor: settings.raisedTLSFloor, loggedClients: input.connectionLog?.clients ?? [],
                                   observedClients: input.observedPlainClients).impact()
        }
        guard let impact = parts.impact else { preconditionFailure("the impact preview ran") }
        let hbaDiffs = parts.hbaDiffs

        // A file a manager rewrites is changed through the manager (docs/POSTGRES.md, "Managed configurations").
        let hbaText = String(decoding: hba.current.bytes, as: UTF8.self)
        let managed = hba.result.hasChanges || !settings.changes.isEmpty
            ? ManagedConfiguration.plan(hbaText: hbaText, candidate: hba.candidate, settings: settings.changes.map { ($0.name, $0.value) }) : nil
        // Not a superuser is a preflight problem already: it covers terminating other roles' sessions.
        let preflight = PreflightCheck.problems(input, certificates: certificates, settings: settings, hba: hba) + identities.problems
            + (managed.map { [$0.problem] } ?? [])
        let filesManual = hba.approximate || !snapshot.fileAccess.sameHostVerified
        let assembly = PlanAssembly(input: input, certificates: certificates, settings: settings, hba: hba, impact: impact,
                                    lockout: verdict, filesManual: filesManual, hbaDiffs: hbaDiffs)
        var notes = identities.notes + hba.notes + assembly.notes
        if let note = AuthenticatingConnections.note(snapshot) { notes.append(note) }
        if snapshot.server.inRecovery {
            notes.append("this server is a standby: its pg_hba.conf and settings are its own; enforce SSL on the primary separately")
        }
        let findings = StepFindings(input: input, hba: hba, impact: impact)
        let steps = assembly.steps(preflightProblems: preflight).map { step in
            var step = step
            step.found = findings.found(step.name)
            return step
        }
        if let log = input.connectionLog { notes += LogEvidenceNotes.notes(log) }
        if managed == nil, let (manager, marker, line) = ManagedConfiguration.detect(hbaText) {
            notes.append("pg_hba.conf is managed by \(manager == .patroni ? "Patroni" : "Ansible") (line \(line): \"\(marker)\"), and it already requires SSL: nothing in it or in the settings is to change")
        }
        return Plan(cluster: ClusterIdentity(systemIdentifier: snapshot.server.systemIdentifier,
                                             version: snapshot.server.version.description,
                                             dataDirectory: snapshot.server.dataDirectory, hbaFile: snapshot.server.hbaFile,
                                             inRecovery: snapshot.server.inRecovery),
                    steps: steps, files: assembly.files(), sql: assembly.statements(),
                    reload: assembly.reloadDecision, settingConflicts: settings.conflicts, impact: impact, lockout: verdict,
                    preflightProblems: preflight, notes: notes, filesManual: filesManual, run: assembly.runPlan(steps: steps),
                    managedConfiguration: managed)
    }

    static func validate(_ input: PlanningInput) throws(PlanInputError) {
        guard SettingsPlanner.rank(input.options.minimumTLS) >= SettingsPlanner.rank("TLSv1.2") else {
            throw .badMinimumTLS(input.options.minimumTLS)
        }
        for pid in input.options.operatorPIDs where !input.snapshot.sessions.contains(where: { $0.pid == pid && $0.isClient }) {
            throw .operatorPIDNotFound(pid)
        }
    }

    static func matchEnvironment(_ input: PlanningInput) -> MatchEnvironment {
        guard let roles = input.roles else { return MatchEnvironment(interfaces: input.interfaces) }
        return .with(memberships: roles.members, knownRoles: roles.roles, interfaces: input.interfaces)
    }
}

/// What the plan's two concurrent parts produce: each writes only its own
/// field, and both are read after `concurrentPerform` has returned.
private final class ConcurrentParts: @unchecked Sendable {
    var impact: Impact?
    var hbaDiffs: [String: String] = [:]
}
