import Foundation
import PostgresClient
import Testing
import TestSupport

/// `apply` killed with SIGKILL (PG_SSL_WIZARD_CRASH_AT) at every step
/// boundary and in the middle of every file it writes (key, certificate,
/// root certificate, pg_hba.conf's backup, pg_hba.conf): the file is whole
/// (old or new), the operator can connect, and `resume` finishes the run or
/// `rollback` restores everything. One test per point.
struct CrashRecoveryTests {
    enum Recovery: String, Sendable { case resume, rollback }

    static let points: [(String, Recovery)] = [
        ("mid-write:server.key", .resume), ("mid-write:server.crt", .rollback), ("mid-write:root.crt", .resume),
        ("after:certs", .resume), ("after:ssl_on", .rollback), ("mid-write:pg_hba.conf.bak", .resume),
        ("mid-write:pg_hba.conf.bak", .rollback), ("mid-write:pg_hba.conf", .resume),
        ("mid-write:pg_hba.conf", .rollback), ("after:hba_rewrite", .resume), ("after:reload_or_restart", .rollback),
        ("after:reload_or_restart", .resume), ("after:terminate_non_ssl", .resume), ("after:confirm", .resume),
    ]

    @Test(arguments: points)
    func killedAt(point: String, recovery: Recovery) async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 10.0.0.0/8 scram-sha-256\n")
            try cluster.reload()
            try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            let original = cluster.hbaText
            let wizard = try WizardRun()
            let arguments = ["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "self-signed"]
            let killed = try wizard.run(arguments, environment: ["PG_SSL_WIZARD_CRASH_AT": point])
            #expect(killed.exitCode == 128 + SIGKILL, "killed at \(point): \(killed.stdout)\n\(killed.stderr)")

            let candidate = original.replacingOccurrences(of: "\nhost ", with: "\nhostssl ")
            #expect([original, candidate].contains(cluster.hbaText), "pg_hba.conf is whole: \(cluster.hbaText)")
            #expect(try cluster.sql("SELECT 1 AS one").rows.first?.int32("one") == 1, "the operator can connect")
            let second = try wizard.run(arguments)
            #expect(second.exitCode == 3 && second.stderr.contains("pg-ssl-wizard resume"),
                    "a new apply never runs over an interrupted one: \(second.stdout)\n\(second.stderr)")

            switch recovery {
            case .resume:
                let resumed = try wizard.run(["resume", cluster.socketConninfo, "--json"])
                #expect(resumed.exitCode == 0, "\(resumed.stdout)\n\(resumed.stderr)")
                #expect(try ApplySummary.decode(resumed).outcome.hasPrefix("enforced"))
                #expect(cluster.hbaText == candidate)
                #expect(try wizard.run(["status", cluster.socketConninfo]).exitCode == 0)
            case .rollback:
                let rolledBack = try wizard.run(["rollback", cluster.socketConninfo])
                #expect(rolledBack.exitCode == 0, "\(rolledBack.stdout)\n\(rolledBack.stderr)")
                #expect(cluster.hbaText == original)
                #expect(try cluster.sql("SHOW ssl").rows.first?.string("ssl") == "off")
                #expect(try Probe.attempts([cluster.tcpConninfo(sslmode: "disable")]).first?.ok == true)
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: cluster.dataDirectory).filter { $0.contains(".tmp-") || $0.contains(".candidate-") }
            #expect(leftovers.isEmpty, "no torn temporary file or staged candidate is left: \(leftovers)")
            print("fault [SIGKILL \(point) then \(recovery.rawValue)]: pg_hba.conf whole, operator connected, \(recovery.rawValue) finished")
        }
    }
}
