import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// Debian's PgBouncer in front of a real server, in a client namespace: the
/// wizard is refused through it (both as PgBouncer ships, refusing the
/// startup options, and told to ignore them, where the cancel key gives it
/// away), and the pooled backends are grouped in the preview with what the
/// pooler needs (issue 21, item 5).
struct PoolerTests {
    @Test func theWizardIsRefusedThroughPgBouncerAndPooledSessionsAreGrouped() async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let pgbouncer = "/usr/sbin/pgbouncer"
        guard FileManager.default.isExecutableFile(atPath: pgbouncer) else {
            throw TestEnvironment.Missing(description: "pgbouncer is not installed (make deps installs it)")
        }
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let office = lab.clients[0]
            _ = try cluster.enableSSL()
            try cluster.sql("CREATE ROLE app LOGIN SUPERUSER PASSWORD 'app-secret'")
            try cluster.writeHBA("""
                local   all  all                          trust
                host    all  all  \(office.addressV4)/32  scram-sha-256

                """)
            try cluster.reload()
            let owner = cluster.local.owner
            let directory = cluster.local.root + "/pgbouncer"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chown(directory, owner.uid, owner.gid)
            try "\"app\" \"app-secret\"\n".write(toFile: directory + "/userlist.txt", atomically: true, encoding: .utf8)
            chown(directory + "/userlist.txt", owner.uid, owner.gid)
            func start(port: Int, ignoring: String?) throws -> ChildProcess {
                let ini = directory + "/pgbouncer-\(port).ini"
                try """
                    [databases]
                    postgres = host=\(office.serverV4) port=\(cluster.port) dbname=postgres
                    [pgbouncer]
                    listen_addr = 127.0.0.1
                    listen_port = \(port)
                    unix_socket_dir =
                    auth_type = trust
                    auth_file = \(directory)/userlist.txt
                    pool_mode = session
                    logfile = \(directory)/pgbouncer-\(port).log
                    \(ignoring.map { "ignore_startup_parameters = \($0)" } ?? "")

                    """.write(toFile: ini, atomically: true, encoding: .utf8)
                chown(ini, owner.uid, owner.gid)
                let child = try ProcessRunner.spawn(pgbouncer, [ini], as: owner, inNamespace: office.namespace)
                try cluster.waitFor("pgbouncer on port \(port)") {
                    try ProcessRunner.run("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"], inNamespace: office.namespace).exitCode == 0
                }
                return child
            }
            let shipped = try start(port: 16432, ignoring: nil)
            defer { shipped.terminate() }
            let ignoring = try start(port: 16433, ignoring: "options,extra_float_digits")
            defer { ignoring.terminate() }

            // Three clients of the pooler, each holding a server connection (session pooling).
            let psql = cluster.local.binaries.path("psql")
            var clients: [ChildProcess] = []
            defer { clients.forEach { $0.terminate() } }
            for _ in 0..<3 {
                clients.append(try ProcessRunner.spawn(psql, ["host=127.0.0.1 port=16432 user=app dbname=postgres", "-c", "SELECT pg_sleep(600)"],
                                                       as: owner, inNamespace: office.namespace,
                                                       environment: cluster.local.binaries.serverEnvironment))
            }
            try cluster.waitFor("three pooled backends") {
                try cluster.sql("SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity WHERE client_addr = '\(office.addressV4)'").rows.first?.int32("n") == 3
            }

            let hbaBefore = try String(contentsOfFile: cluster.hbaFile, encoding: .utf8)
            let wizard = try WizardRun(namespace: office.namespace)
            for port in [16432, 16433] {
                let through = try wizard.run(["plan", "host=127.0.0.1 port=\(port) user=app dbname=postgres"])
                #expect(through.exitCode != 0 && through.exitCode != 10 && through.exitCode != 11, "\(through.stdout)\n\(through.stderr)")
                #expect(through.stderr.contains("is a connection pooler, not the server") && through.stderr.contains("connect to the server's own port"),
                        "port \(port): \(through.stderr)")
            }
            #expect(try wizard.run(["plan", "host=127.0.0.1 port=16433 user=app dbname=postgres"]).stderr.contains("backend pid"),
                    "told to ignore the options, the cancel key gives it away")
            #expect(try String(contentsOfFile: cluster.hbaFile, encoding: .utf8) == hbaBefore, "nothing changed")

            let direct = try WizardRun(namespace: lab.serverNamespace)
            let plan = try GuardPlanJSON.decode(try direct.run(["plan", cluster.socketConninfo, "--json"]))
            let group = try #require(plan.pooled_groups.first { $0.address == office.addressV4 }, "\(plan.pooled_groups)")
            // Three clients' backends, and the pooler's own spare connection once it served the wizard.
            #expect(group.sessions >= 3 && group.users == ["app"] && group.needs.contains("server_tls_sslmode = require"))
        }
    }
}
