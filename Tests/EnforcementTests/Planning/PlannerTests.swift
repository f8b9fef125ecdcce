import Foundation
import PlanFixtures
import ClusterFacts
@testable import Enforcement
import HBA
import SQLCatalogue
import Testing

/// The planner on snapshot values: statuses, SQL order, reload decision,
/// conflicts, impact, and what blocks.
struct PlannerTests {
    @Test func sslOffPlansTwoReloadsInOrder() throws {
        var builder = SnapshotBuilder()
        builder.sessions = [SnapshotBuilder.client(601, address: "10.1.1.1", ssl: false)]
        let plan = try Planner.plan(builder.input())
        #expect(plan.steps.map(\.status) == [.satisfied, .satisfied, .planned, .planned, .planned, .planned, .planned])
        #expect(plan.exitCode == 10 && !plan.blocked)
        let texts = plan.sql.map(\.text)
        let sslOn = try #require(texts.firstIndex(of: "ALTER SYSTEM SET ssl = 'on'"))
        let reloads = texts.indices.filter { texts[$0] == SQLText.reload }
        #expect(reloads.count == 2, "phase A and phase B reload separately")
        let hbaCheck = try #require(texts.firstIndex { $0.contains("pg_hba_file_rules") })
        #expect(sslOn < reloads[0] && reloads[0] < hbaCheck && hbaCheck < reloads[1])
        #expect(texts.last == SQLText.plainTCPSessions)
        #expect(texts.contains("SELECT pg_catalog.pg_terminate_backend(601, 5000)"))
        #expect(plan.reload.action == .reload && plan.reload.why.contains("ssl (sighup)"))
        #expect(plan.run.sslStatements == ["ALTER SYSTEM SET ssl = 'on'"] && plan.run.sslRollback == ["ALTER SYSTEM RESET ssl"])
        #expect(plan.run.phaseA == .reload && plan.run.phaseB == .reload)
        #expect(plan.steps[2].details.contains("ssl_min_protocol_version is already TLSv1.2, at or above the floor TLSv1.2"))
        let strict = builder.input(options: PlanOptions(minimumTLS: "TLSv1.3"))
        #expect(try Planner.plan(strict).run.sslStatements == ["ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1.3'", "ALTER SYSTEM SET ssl = 'on'"])
        #expect(plan.files.map(\.path) == ["/data/pg_hba.conf"])
        let diff = try #require(plan.files.first?.diff)
        #expect(diff.contains("-host    all       all   10.0.0.0/8    scram-sha-256"))
        #expect(diff.contains("+hostssl all       all   10.0.0.0/8    scram-sha-256"))
        #expect(!diff.contains("+hostssl all       all   127.0.0.1/32"), "loopback kept by default")
    }

    /// The script `plan --sql` prints may run long after the plan: each
    /// session is signalled only while the backend the plan saw holds its
    /// pid, and the run keeps the start for its own terminate step
    /// (docs/POSTGRES.md, "Ending a session between transactions").
    @Test func eachPlannedSessionIsNamedByItsPidAndItsStart() throws {
        var builder = SnapshotBuilder()
        var session = SnapshotBuilder.client(601, address: "10.1.1.1", ssl: false)
        session.backendStartMicroseconds = 1_796_289_049_218_194
        builder.sessions = [session]
        let plan = try Planner.plan(builder.input())
        #expect(plan.sql.map(\.text).contains(
            "SELECT pg_catalog.pg_terminate_backend(601, 5000) FROM pg_catalog.pg_stat_activity a WHERE a.pid OPERATOR(pg_catalog.=) 601 AND "
            + "(EXTRACT(epoch FROM a.backend_start) OPERATOR(pg_catalog.*) 1000000)::bigint OPERATOR(pg_catalog.=) 1796289049218194"))
        #expect(plan.sqlScript().contains("\\set ON_ERROR_STOP on\nSET search_path = pg_catalog, pg_temp;"), "the script pins its names as the wizard's sessions do")
        #expect(plan.run.terminate == [TerminateTarget(pid: 601, backendStartMicroseconds: 1_796_289_049_218_194)])
    }

    /// A run record written before starts were kept still decodes: its pids are taken as they are.
    @Test func aTerminateTargetWithoutAStartDecodes() throws {
        let target = try JSONDecoder().decode(TerminateTarget.self, from: Data(#"{"pid":601,"walsender":true,"standby":"replica1"}"#.utf8))
        #expect(target == TerminateTarget(pid: 601, walsender: true, standby: "replica1"))
        #expect(target.backendStartMicroseconds == nil)
    }

    @Test func alreadyEnforcedIsNothingToDo() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        builder.sessions = [SnapshotBuilder.client(601, address: "10.1.1.1", ssl: true)]
        let hba = "local all all trust\nhost all all 127.0.0.1/32 trust\nhostssl all all 10.0.0.0/8 scram-sha-256\n"
        let plan = try Planner.plan(builder.input(hba: hba))
        #expect(plan.steps.allSatisfy { $0.status == .satisfied })
        #expect(plan.nothingToDo && plan.exitCode == 0 && plan.sql.isEmpty && plan.files.isEmpty)
        #expect(plan.reload.action == .none)
    }

    @Test func sslOnButServingAnotherCertificatePlansAReloadOnly() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        var input = builder.input()
        input.tls.servedFingerprint = "OLD"
        let plan = try Planner.plan(input)
        #expect(plan.steps[2].status == .planned && plan.steps[2].summary.contains("reload so the server loads"))
        #expect(plan.run.sslStatements.isEmpty && plan.run.phaseA == .reload && plan.run.expectedFingerprint == "AA")
    }

    @Test func preexistingPlainSessionsAreTerminatedEvenWithoutARewrite() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        builder.sessions = [SnapshotBuilder.client(601, address: "10.1.1.1", ssl: false)]
        let plan = try Planner.plan(builder.input(hba: "local all all trust\nhostssl all all 10.0.0.0/8 trust\n"))
        #expect(plan.steps.map(\.status) == [.satisfied, .satisfied, .satisfied, .satisfied, .satisfied, .planned, .planned])
        #expect(plan.impact.terminate.map(\.pid) == [601])
        #expect(plan.impact.refusedClients.first?.fix.contains("sslmode=require") == true)
    }

    @Test func configurationFileErrorsNonSuperuserAndMissingCertificatesBlock() throws {
        var builder = SnapshotBuilder()
        builder.superuser = false
        builder.fileSettings = [FileSetting(sourceFile: "/data/postgresql.conf", sourceLine: 12, seqno: 1, name: nil, value: nil,
                                            applied: false, error: "syntax error")]
        let missing = CertificateFacts(condition: .missing, certificatePath: "/data/server.crt", keyPath: "/data/server.key",
                                       problems: ["certificate file /data/server.crt does not exist"])
        let plan = try Planner.plan(builder.input(certificates: missing))
        #expect(plan.blocked && plan.exitCode == 11)
        let reasons = plan.blockingReasons.map(\.text)
        #expect(reasons.contains { $0.contains("not a superuser") })
        #expect(reasons.contains { $0.contains("postgresql.conf line 12: syntax error") && $0.contains("still loads pg_hba.conf") })
        #expect(reasons.contains { $0.contains("/data/server.crt does not exist") && $0.contains("--create-certificates") })
        #expect(plan.blockingReasons.allSatisfy { $0.kind == .preflight })
    }

    @Test func newCertificatesPointTheServerAtThemAndAreInstalledFirst() throws {
        let replacement = CertificateReplacement(mode: .selfSigned, names: ["db"], files: [
            .init(role: .serverKey, path: "/data/server.key", purpose: "key", mode: 0o600, owner: "postgres", isSecret: true),
            .init(role: .rootCertificate, path: "/state/root.crt", purpose: "root.crt for clients", mode: 0o644, owner: nil, isSecret: false),
        ], settings: [:])
        var facts = SnapshotBuilder.usableCertificate
        facts.condition = .missing
        facts.replacement = replacement
        let plan = try Planner.plan(SnapshotBuilder().input(certificates: facts))
        #expect(plan.run.certificates == .create(replacement) && plan.run.expectedFingerprint == nil)
        #expect(plan.run.sslStatements == ["ALTER SYSTEM SET ssl = 'on'"], "ssl_ca_file, the client CA, is never set")
        #expect(plan.files.first == FileChange(path: "/data/server.key", kind: .create, step: .certs, purpose: "key", diff: nil, mode: 0o600, owner: "postgres"))
        #expect(plan.run.confirmation.caPath == "/state/root.crt", "the confirmation verifies with the clients' root.crt")
    }

    /// 17+: with allow_alter_system off the plan says which lines go where
    /// (certificate files first when it would create them); once they are
    /// in postgresql.conf nothing is left for ALTER SYSTEM and nothing blocks.
    @Test func allowAlterSystemOffSaysWhichLinesToAddWhere() throws {
        var builder = SnapshotBuilder()
        builder.version = ServerVersion(major: 17, minor: 6)
        builder.settings = [Setting(name: "allow_alter_system", value: "off", context: "sighup", source: "configuration file")]
        let plan = try Planner.plan(builder.input())
        #expect(plan.blocked && plan.exitCode == 11)
        let reason = try #require(plan.blockingReasons.first { $0.text.contains("allow_alter_system is off") })
        #expect(reason.text.contains("add ssl = 'on' to /data/postgresql.conf (or to whatever writes it), reload"), "\(reason.text)")
        #expect(!reason.text.contains("certs generate"))

        var facts = SnapshotBuilder.usableCertificate
        facts.condition = .missing
        facts.replacement = CertificateReplacement(mode: .localCA, names: ["db"], files: [], settings: [:])
        let creating = try Planner.plan(builder.input(certificates: facts))
        let first = try #require(creating.blockingReasons.first { $0.text.contains("allow_alter_system is off") })
        #expect(first.text.contains("create the certificate files first") && first.text.contains("add ssl = 'on' to") && !first.text.contains("ssl_ca_file"), "\(first.text)")

        builder.sslOn = true
        #expect(!(try Planner.plan(builder.input())).blocked, "ssl already set in postgresql.conf: nothing for ALTER SYSTEM")
    }

    /// No server older than 13 or newer than 18 runs here, so the refusal is shown on values.
    @Test(arguments: [ServerVersion(major: 12, minor: 22), ServerVersion(major: 19, minor: 0)])
    func anUnsupportedVersionBlocksWithTheSupportedRange(version: ServerVersion) throws {
        var builder = SnapshotBuilder()
        builder.version = version
        let plan = try Planner.plan(builder.input())
        #expect(plan.blocked && plan.exitCode == 11)
        #expect(plan.blockingReasons.contains { $0.text == "PostgreSQL \(version) is outside the versions this wizard knows (13-18)" })
    }

    @Test func keyModeIsFixedWithoutNewFiles() throws {
        var facts = SnapshotBuilder.usableCertificate
        facts.condition = .broken
        facts.keyPermissionFix = KeyPermissionFix(path: "/data/server.key", currentMode: 0o644, currentOwner: "postgres", owner: "postgres")
        let plan = try Planner.plan(SnapshotBuilder().input(certificates: facts))
        #expect(!plan.blocked)
        #expect(plan.files.first?.kind == .permissions && plan.files.first?.purpose.contains("0644 -> 0600") == true)
    }

    @Test func settingConflictsBothWaysAndARestartWhenTheContextSaysSo() throws {
        var builder = SnapshotBuilder()
        builder.settings = [Setting(name: "ssl_min_protocol_version", value: "TLSv1", context: "postmaster", source: "command line")]
        builder.fileSettings = [FileSetting(sourceFile: "/etc/postgresql/16/main/postgresql.conf", sourceLine: 100, seqno: 1, name: "ssl",
                                            value: "off", applied: true, error: nil)]
        let plan = try Planner.plan(builder.input())
        #expect(plan.settingConflicts.map(\.kind) == [.shadowsAlterSystem, .shadowedByAlterSystem])
        #expect(plan.settingConflicts[1].text.contains("postgresql.conf line 100 sets ssl = 'off'"))
        #expect(plan.reload.action == .restart && plan.reload.why.contains("ssl_min_protocol_version (postmaster)"))
        #expect(plan.blockingReasons.contains { $0.text.contains("command line") && $0.text.contains("start options") })
    }

    @Test func operatorSessionsAreSparedUnlessOptedIn() throws {
        var builder = SnapshotBuilder()
        builder.ownTransport = .tcp
        builder.ownAddress = "10.9.9.9"
        builder.sessions = [SnapshotBuilder.client(601, user: "postgres", database: "postgres", address: "10.9.9.9", ssl: false, application: "psql"),
                            SnapshotBuilder.client(602, address: "10.9.9.8", ssl: false)]
        let spared = try Planner.plan(builder.input())
        #expect(spared.impact.terminate.map(\.pid) == [602])
        #expect(spared.impact.spared.map(\.pid) == [601])
        #expect(!spared.impact.terminate.contains { $0.pid == 500 }, "never the wizard's own pid")
        #expect(spared.lockout.wizardMovesToSSL && !spared.blocked)
        #expect(spared.notes.contains { $0.contains("reconnects with SSL right after phase A") })

        let optedIn = try Planner.plan(builder.input(options: PlanOptions(terminateOperatorSessions: true)))
        #expect(optedIn.impact.terminate.map(\.pid) == [601, 602])
    }

    @Test func walsendersAreListedWithWhatTheStandbyNeeds() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        builder.sessions = [SnapshotBuilder.client(700, user: "replicator", database: nil, address: "10.5.5.5", ssl: false,
                                                   application: "replica1", walsender: true)]
        let plan = try Planner.plan(builder.input())
        let walsender = try #require(plan.impact.walsenders.first)
        #expect(walsender.kind == .physical && walsender.admittedWithSSL && walsender.standby == "replica1")
        #expect(walsender.needs.contains("sslmode=disable"))
        #expect(plan.run.terminate == [TerminateTarget(pid: 700, walsender: true, standby: "replica1")])
        #expect(plan.lockout.checks.contains { $0.identity.kind == .standby && !$0.keepsAccess } && !plan.blocked)
    }

    /// 18 lists a connection before it has a user; anyone who reaches the port can hold one there. Such a row
    /// was a made-up standby with an empty user in the guard, a refused client in the impact, and a client to end.
    @Test func connectionsStillAuthenticatingAreNeitherJudgedNorProtected() throws {
        var builder = SnapshotBuilder()
        builder.sslOn = true
        func authenticating(_ row: Session) -> Session {
            var row = row
            (row.user, row.database, row.state) = (nil, nil, "starting")
            return row
        }
        builder.sessions = [authenticating(SnapshotBuilder.client(700, address: "10.5.5.5", ssl: false, application: "", walsender: true)),
                            authenticating(SnapshotBuilder.client(701, address: "10.6.6.6", ssl: false, application: "")),
                            SnapshotBuilder.client(702, address: "10.7.7.7", ssl: false)]
        let plan = try Planner.plan(builder.input())
        #expect(!plan.lockout.checks.contains { $0.identity.kind == .standby }, "no standby to protect: it has no user yet")
        #expect(plan.impact.walsenders.isEmpty && plan.impact.refusedClients.map(\.address) == ["10.7.7.7"])
        #expect(plan.run.terminate.map(\.pid) == [702])
        #expect(plan.notes.contains { $0.contains("not judged or protected: pid 700 from 10.5.5.5 (replication), pid 701 from 10.6.6.6.") })
    }

    @Test func badOptionsSayWhatIsWrong() {
        #expect(throws: PlanInputError.badMinimumTLS("TLSv1.1")) {
            try Planner.plan(SnapshotBuilder().input(options: PlanOptions(minimumTLS: "TLSv1.1")))
        }
        #expect(throws: PlanInputError.operatorPIDNotFound(4242)) {
            try Planner.plan(SnapshotBuilder().input(options: PlanOptions(operatorPIDs: [4242])))
        }
    }

    @Test func unreadableFileIsPlannedFromTheServersViewForManualApplication() throws {
        var builder = SnapshotBuilder()
        builder.hbaRules = [
            HBAFileRule(lineNumber: 3, type: "local", database: ["all"], userName: ["all"], address: nil, netmask: nil, authMethod: "trust", options: nil, error: nil),
            HBAFileRule(lineNumber: 5, type: "host", database: ["all"], userName: ["all"], address: "10.0.0.0", netmask: "255.0.0.0", authMethod: "md5", options: nil, error: nil),
        ]
        var input = builder.input()
        input.hba = .unreadable(reason: "cannot read /data/pg_hba.conf from here")
        let plan = try Planner.plan(input)
        #expect(plan.filesManual && plan.run.hbaWrites.isEmpty)
        #expect(plan.files.first?.diff?.contains("+hostssl all all 10.0.0.0 255.0.0.0 md5") == true)
        #expect(plan.notes.contains { $0.contains("apply the listed line changes to the file by hand") })
    }

    @Test func planRendersAsJSONTextAndScript() throws {
        var builder = SnapshotBuilder()
        builder.sessions = [SnapshotBuilder.client(601, address: "10.1.1.1", ssl: false)]
        let plan = try Planner.plan(builder.input())
        let json = plan.json()
        for key in ["\"blocked\" : false", "\"steps\"", "\"refused_clients\"", "\"terminate\"", "\"client_addr\" : \"10.1.1.1\"", "\"diff\"", "\"sql\""] {
            #expect(json.contains(key), "JSON has \(key)")
        }
        #expect(plan.text().contains("Ready (exit 10)"))
        // People read step titles; JSON keeps the machine names.
        for title in ["[to do] Turn SSL on", "[to do] Require SSL in pg_hba.conf", "[to do] Reload and check", "[to do] End plain-text sessions"] {
            #expect(plan.text().contains(title), "\(title)")
        }
        #expect(!plan.text().contains("hba_rewrite") && json.contains("\"name\" : \"hba_rewrite\""))
        #expect(json.contains("\"schema\" : 1"))
        let script = plan.sqlScript()
        #expect(script.contains("ALTER SYSTEM SET ssl = 'on';\n") && script.contains("--   +hostssl"))
        #expect(script.components(separatedBy: "SELECT pg_catalog.pg_reload_conf();").count == 3)
    }

    /// On 18 the plan lists the statements that end logins under the old rules, which the wizard runs with
    /// `$1` bound: the psql script (ON_ERROR_STOP) must not stop on them right after the hostssl reload.
    @Test func theScriptCarriesBoundStatementsAsComments() throws {
        var builder = SnapshotBuilder()
        builder.version = ServerVersion(major: 18, minor: 1)
        builder.sessions = [SnapshotBuilder.client(601, address: "10.1.1.1", ssl: false)]
        let plan = try Planner.plan(builder.input())
        let bound = plan.sql.filter { $0.text.contains("$1") }
        #expect(bound.map(\.step) == [.reloadOrRestart, .confirm, .confirm], "\(bound.map(\.purpose))")
        let script = plan.sqlScript()
        let live = script.split(separator: "\n").filter { !$0.hasPrefix("--") }
        #expect(!live.contains { $0.contains("$1") } && script.contains("--   SELECT a.pid, pg_catalog.host(a.client_addr) AS client_address, pg_catalog.pg_terminate_backend(a.pid) AS signalled"))
        builder.version = ServerVersion(major: 17, minor: 5)
        #expect(try !Planner.plan(builder.input()).sql.contains { $0.text.contains("$1") }, "before 18 no login in progress is listed")
    }
}
