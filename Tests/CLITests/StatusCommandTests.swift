import ClusterFacts
import Foundation
import Testing
import TestSupport

/// `pg-ssl-wizard status` run as a process against real clusters.
struct StatusCommandTests {
    struct Report: Decodable {
        struct Counts: Decodable {
            var ssl: Int
            var non_ssl_tcp: Int
            var unix_socket: Int
            var walsenders: Int
        }
        struct SessionEntry: Decodable {
            var pid: Int32
            var backend_type: String?
            var user: String?
            var database: String?
            var application_name: String?
            var client_addr: String?
            var ssl: Bool?
            var tls_version: String?
            var is_own: Bool
        }
        var verdict: String
        var exit_code: Int32
        var counts: Counts
        var tls_versions: [String: Int]
        var sessions: [SessionEntry]
    }

    static func decode(_ json: String) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(json.utf8))
    }

    @Test func sslOffThenOnCountsAndExitCodes() async throws {
        try await TestCluster.with { cluster in
            try cluster.holdSessions(3, via: .tcp(sslmode: "disable"), applicationName: "plain")
            try cluster.holdSessions(1, via: .socket, applicationName: "local")

            let off = try Wizard.run(["status", cluster.socketConninfo, "--json"])
            #expect(off.exitCode == 2, "stderr: \(off.stderr)")
            let offReport = try Self.decode(off.stdout)
            #expect(offReport.verdict == "ssl_off")
            #expect(offReport.counts.non_ssl_tcp == 3)
            #expect(offReport.counts.unix_socket == 1)
            #expect(offReport.counts.ssl == 0)
            #expect(offReport.counts.walsenders == 0)

            _ = try cluster.enableSSL()
            try cluster.holdSessions(1, via: .tcp(sslmode: "require"), applicationName: "encrypted")
            let on = try Wizard.run(["status", cluster.socketConninfo, "--json"])
            #expect(on.exitCode == 1, "stderr: \(on.stderr)")
            let onReport = try Self.decode(on.stdout)
            #expect(onReport.verdict == "not_enforced")
            #expect(onReport.counts.ssl == 1)
            #expect(onReport.counts.non_ssl_tcp == 3)
            #expect(onReport.counts.unix_socket == 1)
            let encrypted = try #require(onReport.sessions.first { $0.application_name == "encrypted" })
            #expect(encrypted.ssl == true)
            #expect(encrypted.tls_version?.hasPrefix("TLSv1.") == true)
            #expect(onReport.tls_versions[encrypted.tls_version ?? ""] == 1)

            // Once the plain sessions are gone, the server is enforced.
            cluster.releaseHeldSessions()
            try cluster.holdSessions(1, via: .tcp(sslmode: "require"), applicationName: "encrypted")
            let enforced = try Wizard.run(["status", cluster.socketConninfo])
            #expect(enforced.exitCode == 0, "stdout: \(enforced.stdout)")
            #expect(enforced.stdout.contains("Verdict: ENFORCED"))
        }
    }

    @Test func jsonMatchesTheTable() async throws {
        try await TestCluster.with { cluster in
            try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "billing")
            let json = try Self.decode(Wizard.run(["status", cluster.socketConninfo, "--json"]).stdout)
            let text = try Wizard.run(["status", cluster.socketConninfo]).stdout
            #expect(!json.sessions.isEmpty)
            for session in json.sessions where !session.is_own {
                let line = try #require(text.split(separator: "\n").first { $0.split(separator: " ").first == Substring("\(session.pid)") },
                                        "pid \(session.pid) missing from the table")
                #expect(line.contains(session.application_name ?? "?"))
                #expect(line.contains(session.client_addr ?? "[local]"))
                #expect(line.contains(session.ssl == true ? "yes" : "no"))
            }
            #expect(text.contains("Counts: 0 SSL, 2 non-SSL TCP"))
        }
    }

    @Test func badInputIsOneLineAndExitThree() async throws {
        // On a loopback of its own: plainuser's password rides on the wizard's command line,
        // which every local user can read.
        try await TestCluster.withPrivateLoopback { cluster in
            let plainPassword = "plain-" + UUID().uuidString.lowercased()
            try cluster.sql("CREATE ROLE plainuser LOGIN PASSWORD '\(plainPassword)'")
            let cases: [(String, [String], String)] = [
                ("unreachable host", ["status", "host=127.0.0.1 port=1 connect_timeout=3"], "cannot connect"),
                ("wrong password", ["status", cluster.tcpConninfo(password: "not-the-password-42")], "password authentication failed"),
                ("non-superuser", ["status", cluster.tcpConninfo(user: "plainuser", password: plainPassword)], "pg_read_all_stats"),
                ("malformed conninfo", ["status", "host=localhost port"], "connection string is malformed"),
            ]
            for (name, arguments, expected) in cases {
                let output = try Wizard.run(arguments)
                #expect(output.exitCode == 3, "\(name): exit \(output.exitCode)")
                #expect(output.stdout.isEmpty, "\(name): printed \(output.stdout)")
                let lines = output.stderr.split(separator: "\n")
                // A password in the argument is also warned about, once, apart from the error.
                let warnings = lines.filter { $0.hasPrefix("pg-ssl-wizard: warning: ") }
                #expect(lines.count - warnings.count == 1, "\(name): \(output.stderr)")
                let passwordGiven = arguments.last?.contains("password=") == true
                #expect(warnings.count == (passwordGiven ? 1 : 0) && warnings.allSatisfy { $0.contains("~/.pgpass") && $0.contains("process list") },
                        "\(name): \(warnings)")
                #expect(output.stderr.contains(expected), "\(name): \(output.stderr)")
                #expect(!output.stderr.contains("not-the-password-42") && !output.stderr.contains(plainPassword))
            }
        }
    }

    @Test func brokenCertificatesMakeStatusCritical() async throws {
        try await TestCluster.with { cluster in
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = 'missing.crt'")
            try cluster.sql("ALTER SYSTEM SET ssl = on")
            try cluster.reload()
            try cluster.waitFor("the reload") { try cluster.sql("SHOW ssl").first?.string("ssl") == "on" }
            let output = try Wizard.run(["status", cluster.socketConninfo, "--json"])
            #expect(output.exitCode == 2)
            #expect(try Self.decode(output.stdout).verdict == "ssl_off")
        }
    }

    @Test func passwordsNeverReachTheReport() async throws {
        // On a loopback of its own: the password rides on the wizard's command line, which every local user can read.
        try await TestCluster.withPrivateLoopback { cluster in
            let output = try Wizard.run(["status", cluster.tcpConninfo(), "--json"])
            let text = try Wizard.run(["status", cluster.tcpConninfo()])
            #expect(output.exitCode == 1 || output.exitCode == 2)
            for printed in [output.stdout, output.stderr, text.stdout, text.stderr] {
                #expect(!printed.contains(cluster.local.superuserPassword))
            }
        }
    }
}
