import Executor
import Foundation
import HostIO
import PostgresClient
import Sandbox
import SQLCatalogue
import Testing
import TestSupport

/// A database owner plants exact-type overloads of every function, aggregate
/// and operator the wizard's SQL calls, views named like the catalogs it
/// reads, and `ALTER DATABASE ... SET search_path = public, pg_catalog`
/// (hostile-role.sql). The wizard connects to that database as a superuser
/// and runs status, plan, apply, a crash and resume, and rollback: nothing
/// planted may run, the role stays an ordinary role, and what the wizard
/// reads is the real catalogs (docs/SECURITY.md, "SQL").
@Suite(.serialized)
struct HostileRoleTests {
    static let fixtures = TestEnvironment.packageRoot() + "/Tests/CLITests/Adversarial"

    @Test(arguments: [15, 14])
    func aHostileDatabaseOwnerGainsNothing(major: Int) async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        let binaries = major == 15 ? try PostgresBinaries.locate() : try TestServers.binaries(major: major)
        try await TestCluster.with(binaries: binaries) { cluster in
            try Self.plant(in: cluster)
            // The trap is live: the statement the wizard used to run, on a session that does not pin its path.
            try Self.unpinned(cluster, "SELECT array_agg(rolname) FROM pg_roles")
            #expect(try Self.tripped(cluster) > 0 && Self.isSuperuser(cluster, "mallory"),
                    "control: an unpinned session steps into the trap")
            // While mallory is a superuser here, no other local user logs in as mallory over loopback
            // (the fixture's role has no password; it had one written in the fixture).
            let stranger = try #require(OSUser.named("nobody"), "a `nobody` user")
            let asMallory = try ProcessRunner.run(cluster.local.binaries.path("psql"),
                                                  [cluster.tcpConninfo(user: "mallory", password: "mallory-pw", database: "mallorydb"), "-X", "-At", "-c", "SELECT 1"],
                                                  as: stranger, timeoutSeconds: 30)
            #expect(asMallory.exitCode != 0, "\(stranger.name) logged in as mallory: \(asMallory.stdout)")
            try Self.reset(cluster)
            // A backend's start in microseconds: the bare form, unpinned, takes the planted operators
            // (pg_catalog has no `*` for numeric and integer, so a planted one is an exact match)...
            try Self.unpinned(cluster, "SELECT (EXTRACT(epoch FROM a.backend_start) * 1000000)::bigint = 1::bigint FROM pg_stat_activity a")
            let startTrips = try Self.trips(cluster)
            #expect(Set(startTrips).isSuperset(of: ["*(numeric,integer)", "=(bigint,bigint)"]), "control: \(startTrips)")
            try Self.reset(cluster)
            // ...the guarded terminate `plan --sql` prints does not, even run by hand without the script's pin.
            try Self.unpinned(cluster, SQLText.terminate(1, backendStartMicroseconds: 1, timeoutMilliseconds: 1000, version: cluster.version))
            #expect(try Self.trips(cluster).isEmpty, "the printed statement names its operators with their schema")

            try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            let conninfo = cluster.local.socketConninfo(database: "mallorydb")
            let wizard = try WizardRun()
            let status = try wizard.run(["status", conninfo, "--json"])
            #expect(status.exitCode == 2, "ssl is off: \(status.stdout)\(status.stderr)")
            #expect(!status.stdout.contains("4242") && !status.stdout.contains("/etc/shadow"), "no planted session or path: \(status.stdout)")

            let plan = try wizard.run(["plan", conninfo, "--json", "--include-loopback", "--create-certificates", "self-signed"])
            #expect(plan.exitCode == 10, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stdout.contains(cluster.hbaFile) && !plan.stdout.contains("/etc/shadow") && !plan.stdout.contains("/root/.ssh"),
                    "the real hba_file, not the planted one")
            let terminate = try PlanCommandTests.decode(plan.stdout).terminate
            #expect(terminate.compactMap(\.application_name) == ["plain-app"], "the real sessions, not the planted ones: \(terminate)")

            // A run killed after phase A, resumed, then rolled back; then a whole run.
            let killed = try wizard.run(["apply", conninfo, "--yes", "--include-loopback", "--create-certificates", "self-signed"],
                                        environment: ["PG_SSL_WIZARD_CRASH_AT": "after:ssl_on"])
            #expect(killed.exitCode == 137, "\(killed.stdout)\(killed.stderr)")
            let resumed = try wizard.run(["resume", conninfo])
            #expect(resumed.exitCode == 0, "\(resumed.stdout)\(resumed.stderr)")
            let rolledBack = try wizard.run(["rollback", conninfo])
            #expect(rolledBack.exitCode == 0, "\(rolledBack.stdout)\(rolledBack.stderr)")
            try cluster.holdSessions(1, via: .tcp(sslmode: "disable"), applicationName: "plain-app-2")
            let apply = try wizard.run(["apply", conninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "self-signed"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try ApplySummary.decode(apply).outcome.hasPrefix("enforced"))

            let trips = try Self.trips(cluster)
            #expect(trips.isEmpty, "nothing planted ran: \(trips)")
            #expect(try !Self.isSuperuser(cluster, "mallory"), "the role is still an ordinary role")
        }
    }

    /// The wizard walked by keys through every step against the hostile database.
    @Test func aWalkOfTheWizardStepsIntoNothing() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with { cluster in
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            try Self.plant(in: cluster)
            let wizard = try WizardRun()
            let terminal = try TmuxTerminal(Wizard.path, [cluster.local.socketConninfo(database: "mallorydb"), "--keep-seconds", "30"],
                                            environment: ["XDG_STATE_HOME": wizard.stateHome])
            defer { terminal.close() }
            try terminal.walkToTheKeepQuestion()
            try terminal.send("Enter")
            try terminal.waitFor("Step 6 of 6: Confirm")
            try terminal.send("Enter", "y")
            try terminal.waitFor("[ENFORCED]")
            try terminal.send("Enter")
            #expect(try terminal.exitCode() == 0)
            let trips = try Self.trips(cluster)
            #expect(trips.isEmpty, "nothing planted ran: \(trips)")
            #expect(try !Self.isSuperuser(cluster, "mallory"))
        }
    }

    /// Setup as superuser, the plant as mallory (the role's own password over the socket).
    static func plant(in cluster: TestCluster) throws {
        let psql = cluster.local.binaries.path("psql")
        let environment = cluster.local.binaries.serverEnvironment
        try ProcessRunner.checked(psql, [cluster.local.socketConninfo(), "-X", "-q"], environment: environment,
                                  input: try String(contentsOfFile: fixtures + "/hostile-role-setup.sql", encoding: .utf8))
        try ProcessRunner.checked(psql, [cluster.local.socketConninfo(user: "mallory", database: "mallorydb"), "-X", "-q"],
                                  environment: environment,
                                  input: try String(contentsOfFile: fixtures + "/hostile-role.sql", encoding: .utf8))
    }

    /// psql with the database's own (hostile) search_path, as a session that pins nothing.
    static func unpinned(_ cluster: TestCluster, _ sql: String) throws {
        try ProcessRunner.checked(cluster.local.binaries.path("psql"), [cluster.local.socketConninfo(database: "mallorydb"), "-X", "-q", "-c", sql],
                                  environment: cluster.local.binaries.serverEnvironment)
    }

    /// Read through the test's own connections, which pin their path like the wizard's.
    static func trips(_ cluster: TestCluster) throws -> [String] {
        let connection = try Connection.connect(ConnectionTarget(cluster.local.socketConninfo(database: "mallorydb")))
        defer { connection.close() }
        return try connection.query("SELECT what FROM public.tripwire ORDER BY at").rows.map { try $0.string("what") }
    }

    static func tripped(_ cluster: TestCluster) throws -> Int { try trips(cluster).count }

    static func isSuperuser(_ cluster: TestCluster, _ role: String) throws -> Bool {
        try cluster.sql("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1", [role]).rows.first?.bool("rolsuper") == true
    }

    static func reset(_ cluster: TestCluster) throws {
        try cluster.sql("ALTER ROLE mallory NOSUPERUSER")
        let connection = try Connection.connect(ConnectionTarget(cluster.local.socketConninfo(database: "mallorydb")))
        defer { connection.close() }
        try connection.query("TRUNCATE public.tripwire")
    }
}
