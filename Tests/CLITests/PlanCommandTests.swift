import Foundation
import Testing
import TestSupport

/// `pg-ssl-wizard plan` run as a process: it changes nothing, its exit codes
/// and JSON, and the impact preview on a network of real clients and a
/// real standby.
@Suite(.serialized) struct PlanCommandTests {
    struct PlanJSON: Decodable {
        struct Reason: Decodable { var kind: String; var text: String; var ways_out: [String] }
        struct Step: Decodable { var name: String; var status: String }
        struct Terminated: Decodable { var pid: Int32; var client_addr: String?; var backend_type: String?; var application_name: String? }
        struct Refused: Decodable { var user: String; var address: String; var application_name: String; var sessions: Int }
        struct Walsender: Decodable { var pid: Int32; var address: String; var ssl: Bool; var needs: String }
        struct File: Decodable { var path: String; var diff: String? }
        struct Statement: Decodable { var text: String }
        var blocked: Bool
        var exit_code: Int32
        var reasons: [Reason]
        var steps: [Step]
        var terminate: [Terminated]
        var refused_clients: [Refused]
        var walsenders: [Walsender]
        var files: [File]
        var sql: [Statement]
        var notes: [String]
    }

    static func decode(_ text: String) throws -> PlanJSON { try JSONDecoder().decode(PlanJSON.self, from: Data(text.utf8)) }

    @Test func planChangesNothing() async throws {
        // On a loopback of its own: the password rides on the wizard's command line, which every local user can read.
        try await TestCluster.withPrivateLoopback { cluster in
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 10.0.0.0/8 md5\n")
            try cluster.reload()
            try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "plain")
            try cluster.holdSessions(1, via: .socket, applicationName: "local")
            let before = try cluster.stateFingerprint()
            for arguments in [[], ["--json"], ["--sql"], ["--create-certificates", "self-signed", "--include-loopback"],
                              ["--create-certificates", "ca", "--json", "--add-reject"]] {
                let run = try Wizard.run(["plan", cluster.socketConninfo] + arguments)
                #expect([10, 11].contains(run.exitCode), "\(arguments): \(run.stderr)")
            }
            let tcp = try Wizard.run(["plan", cluster.tcpConninfo(sslmode: "prefer"), "--create-certificates", "self-signed"])
            #expect(tcp.exitCode == 10, "\(tcp.stdout)\n\(tcp.stderr)")
            #expect(!tcp.stdout.contains(cluster.local.superuserPassword), "a password never reaches the plan")
            #expect(try cluster.stateFingerprint() == before, "files, settings, load time and backends are unchanged")
        }
    }

    /// One default for plan, apply and the wizard: no usable certificate
    /// means a local CA and a server certificate are planned, so the dry run
    /// shows what the run will do; `--create-certificates none` blocks.
    @Test func planOnAServerWithoutCertificatesPlansTheCertificateStep() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 10.0.0.0/8 md5\n")
            try cluster.reload()
            let planned = try Wizard.run(["plan", cluster.socketConninfo, "--json"])
            #expect(planned.exitCode == 10, "\(planned.stdout)\n\(planned.stderr)")
            let document = try Self.decode(planned.stdout)
            #expect(document.steps.first { $0.name == "certs" }?.status == "planned")
            #expect(document.files.contains { $0.path == cluster.dataDirectory + "/server.key" })
            #expect(document.files.contains { $0.path.hasSuffix("/ca/ca.key") }, "a local CA: \(document.files.map(\.path))")
            #expect(!document.sql.contains { $0.text.contains("ssl_ca_file") }, "the client CA setting is never planned: \(document.sql.map(\.text))")
            let none = try Wizard.run(["plan", cluster.socketConninfo, "--json", "--create-certificates", "none"])
            #expect(none.exitCode == 11, "\(none.stdout)\n\(none.stderr)")
            #expect(try Self.decode(none.stdout).reasons.contains { $0.text.contains("server.crt") && $0.text.contains("--create-certificates") })
            let bad = try Wizard.run(["plan", cluster.socketConninfo, "--create-certificates", "csr"])
            #expect(bad.exitCode == 64 && bad.stderr.contains("self-signed, ca or none"), "\(bad.stderr)")
        }
    }

    @Test func exitCodesAndJSONContract() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhostssl all all 10.0.0.0/8 md5\n")
            _ = try cluster.enableSSL()
            let clean = try Wizard.run(["plan", cluster.socketConninfo, "--json"])
            #expect(clean.exitCode == 0, "\(clean.stdout)")
            let document = try Self.decode(clean.stdout)
            #expect(!document.blocked && document.exit_code == 0 && document.sql.isEmpty)
            #expect(document.steps.map(\.name) == ["preflight", "certs", "ssl_on", "hba_rewrite", "reload_or_restart", "terminate_non_ssl", "confirm"])
            #expect(document.steps.allSatisfy { $0.status == "satisfied" })

            let bad = try Wizard.run(["plan", cluster.socketConninfo, "--must-keep", "user=monitor addr=nowhere"])
            #expect(bad.exitCode == 3 && bad.stdout.isEmpty)
            #expect(bad.stderr.contains("addr=nowhere is not an IP address") && bad.stderr.split(separator: "\n").count == 1)
            let floor = try Wizard.run(["plan", cluster.socketConninfo, "--min-tls", "TLSv1"])
            #expect(floor.exitCode == 3 && floor.stderr.contains("never lowers the floor"))
            let unreachable = try Wizard.run(["plan", "host=127.0.0.1 port=1 connect_timeout=2"])
            #expect(unreachable.exitCode == 3 && !unreachable.stderr.isEmpty)

            let script = try Wizard.run(["plan", cluster.socketConninfo, "--sql", "--include-loopback"])
            #expect(script.exitCode == 10)
            #expect(script.stdout.contains("\\set ON_ERROR_STOP on") && script.stdout.contains("--   +hostssl all all 127.0.0.1/32 scram-sha-256"))
            #expect(script.stdout.contains("SELECT pg_catalog.pg_reload_conf();"))
        }
    }

    /// Clients on loopback and in two namespaces, a unix-socket session, and
    /// a streaming standby in a third namespace: the plan lists exactly the
    /// remote plain sessions and the standby's walsender; run from a client
    /// namespace it blocks with sslmode=disable and moves to SSL with prefer.
    @Test func impactOnANetworkAndTheGuardFromAClientHost() async throws {
        let lab = try NetworkLab.create(clients: 3)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            let (office, branch, replicaHost) = (lab.clients[0], lab.clients[1], lab.clients[2])
            try cluster.writeHBA("""
                local   all          all                          trust
                host    all          all         127.0.0.1/32     scram-sha-256
                host    all          all         \(office.addressV4)/32   scram-sha-256   # office
                host    all          all         \(branch.addressV4)/32   scram-sha-256   # branch
                host    replication  postgres    \(replicaHost.addressV4)/32  scram-sha-256   # standby

                """)
            try cluster.reload()
            let loopback = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: "127.0.0.1") + " application_name=loopback-app",
                                          in: lab.serverNamespace)
            defer { loopback.terminate() }
            let officeClients = try Probe.hold(2, conninfo: cluster.tcpConninfo(host: office.serverV4) + " application_name=office-app",
                                               in: office.namespace)
            defer { officeClients.terminate() }
            let branchClient = try Probe.hold(1, conninfo: cluster.tcpConninfo(host: branch.serverV4) + " application_name=branch-app",
                                              in: branch.namespace)
            defer { branchClient.terminate() }
            try cluster.holdSessions(1, via: .socket, applicationName: "socket-app")
            let standby = try TestStandby.start(of: cluster, in: replicaHost, sslmode: "disable")
            defer { standby.destroy() }
            try cluster.waitFor("the standby to stream") {
                try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'").rows.first?.int32("n") == 1
            }

            let run = try Wizard.run(["plan", cluster.socketConninfo, "--json", "--create-certificates", "self-signed"])
            #expect(run.exitCode == 10, "\(run.stdout)\n\(run.stderr)")
            let plan = try Self.decode(run.stdout)
            let terminated = plan.terminate.map { "\($0.application_name ?? "")@\($0.client_addr ?? "")" }.sorted()
            #expect(terminated == ["branch-app@\(branch.addressV4)", "office-app@\(office.addressV4)", "office-app@\(office.addressV4)",
                                   "standby-1@\(replicaHost.addressV4)"])
            #expect(plan.refused_clients.map { "\($0.application_name)x\($0.sessions)" }.sorted() == ["branch-appx1", "office-appx2", "standby-1x1"])
            let walsender = try #require(plan.walsenders.first)
            #expect(plan.walsenders.count == 1 && walsender.address == replicaHost.addressV4 && !walsender.ssl)
            #expect(walsender.needs.contains("sslmode=prefer"), "SSL is off today: the standby's libpq default comes back over SSL")

            // From the office host, as the operator would: plain with disable is blocked...
            let wizard = Wizard.path
            let disable = try lab.run(in: office.namespace, wizard, ["plan", cluster.tcpConninfo(host: office.serverV4, sslmode: "disable"),
                                                                     "--json", "--create-certificates", "self-signed"])
            #expect(disable.exitCode == 11, "\(disable.stdout)\n\(disable.stderr)")
            let blocked = try Self.decode(disable.stdout)
            #expect(blocked.blocked && blocked.reasons.count == 1 && blocked.reasons[0].kind == "lockout")
            #expect(blocked.reasons[0].text.contains("from \(office.addressV4)") && blocked.reasons[0].text.contains("sslmode=disable"))
            #expect(blocked.reasons[0].ways_out.contains { $0.contains("sslmode=require") })
            // ... and with libpq's default prefer the wizard moves to SSL after phase A.
            let prefer = try lab.run(in: office.namespace, wizard, ["plan", cluster.tcpConninfo(host: office.serverV4, sslmode: "prefer"),
                                                                    "--json", "--create-certificates", "self-signed"])
            #expect(prefer.exitCode == 10, "\(prefer.stdout)\n\(prefer.stderr)")
            let moving = try Self.decode(prefer.stdout)
            #expect(!moving.blocked && moving.notes.contains { $0.contains("reconnects with SSL right after phase A") })
            #expect(!moving.terminate.contains { $0.application_name == "pg-ssl-wizard" })
        }
    }
}
