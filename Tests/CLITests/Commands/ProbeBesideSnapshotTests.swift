import Foundation
import HostIO
import Testing
import TestSupport

/// The TLS probe runs on a second connection while the snapshot's last
/// queries run on the operator's (issue 24). A probe that logs in (libpq, for
/// an operator with their own TLS settings) must start after the sessions are
/// read: once logged in, it is a session of the server like any other (TLS,
/// from 127.0.0.1), and a status or a plan that read it would count it as a
/// client, list it, or plan to terminate it (found by a review). The server's
/// own log gives the order. The handshake alone (a socket operator with
/// libpq's defaults) sends no startup packet, is never a session, and may
/// start before the sessions are read (docs/POSTGRES.md, "SSL initialisation
/// and reload").
struct ProbeBesideSnapshotTests {
    static func loggingEverything(_ cluster: TestCluster) throws -> TestCertificate {
        let certificate = try cluster.enableSSL()
        // TCP admits anyone: a probe that can log in does, and the log says so.
        try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        try cluster.sql("ALTER SYSTEM SET log_connections = on")
        try cluster.sql("ALTER SYSTEM SET log_statement = 'all'")
        try cluster.reload()
        try cluster.waitFor("log_statement = all in new sessions") {
            try cluster.sql("SHOW log_statement").rows.first?.string("log_statement") == "all"
        }
        return certificate
    }

    @Test func aProbeThatLogsInConnectsAfterTheSessionsAreRead() async throws {
        try await TestCluster.withPrivateLoopback { cluster in
            let certificate = try Self.loggingEverything(cluster)
            let logged = cluster.serverLog.utf8.count
            // A root certificate of the operator's: libpq probes, with it.
            let status = try Wizard.run(["status", "--json", cluster.socketConninfo + " sslrootcert=\(certificate.caPath)"])
            #expect(status.stdout.contains("\"probe\" : \"offered\""), "\(status.stdout)\n\(status.stderr)")
            let log = String(decoding: cluster.serverLog.utf8.dropFirst(logged), as: UTF8.self)
            let sessions = try #require(log.range(of: "FROM pg_catalog.pg_stat_get_activity(NULL) s"), "no sessions statement in:\n\(log)")
            let probe = try #require(log.range(of: "connection received: host=127.0.0.1"), "no TCP connection in:\n\(log)")
            #expect(log.contains("connection authorized") && log.contains("SSL enabled"), "libpq did not log in:\n\(log)")
            #expect(sessions.lowerBound < probe.lowerBound, "the probe connected before the sessions were read:\n\(log)")
        }
    }

    /// An operator over TCP with TLS: their own session is the proof, and its
    /// certificate the served one, so the server sees one connection per
    /// status, not two (issue 24: a backend, a handshake and a login saved).
    @Test func aTCPOperatorsOwnTLSSessionIsTheProbe() async throws {
        try await TestCluster.withPrivateLoopback { cluster in
            _ = try Self.loggingEverything(cluster)
            let logged = cluster.serverLog.utf8.count
            let status = try Wizard.run(["status", "--json", cluster.tcpConninfo(sslmode: "require")])
            #expect(status.stdout.contains("\"probe\" : \"offered\""), "\(status.stdout)\n\(status.stderr)")
            // The test certificate's subject (`TestCertificate`), read off the session's own TLS.
            #expect(status.stdout.contains("\"certificate_expiry\"") && status.stdout.contains("CN=localhost"),
                    "the served certificate is not reported:\n\(status.stdout)")
            let log = String(decoding: cluster.serverLog.utf8.dropFirst(logged), as: UTF8.self)
            #expect(log.components(separatedBy: "connection received: host=127.0.0.1").count - 1 == 1,
                    "status opened more than its own connection:\n\(log)")
        }
    }

    @Test func theHandshakeAloneIsNeverASession() async throws {
        try await TestCluster.withPrivateLoopback { cluster in
            _ = try Self.loggingEverything(cluster)
            let logged = cluster.serverLog.utf8.count
            for _ in 0..<5 {
                let status = try Wizard.run(["status", "--json", cluster.socketConninfo])
                #expect(status.stdout.contains("\"probe\" : \"offered\""), "\(status.stdout)\n\(status.stderr)")
                #expect(status.stdout.contains("\"non_ssl_tcp\" : 0") && status.stdout.contains("\"ssl\" : 0"), "\(status.stdout)")
            }
            let log = String(decoding: cluster.serverLog.utf8.dropFirst(logged), as: UTF8.self)
            #expect(log.components(separatedBy: "connection received: host=127.0.0.1").count - 1 == 5, "\(log)")
            #expect(!log.contains("SSL enabled"), "a probe logged in:\n\(log)")
        }
    }

    /// The probe's handshake offers the server's group first only among the
    /// groups this host's OpenSSL offers (its configuration, here a policy
    /// that leaves P-256 out, as a crypto policy may): against a server that
    /// takes P-256 alone, it fails as `openssl s_client` on this host fails
    /// (the oracle), and `status` says TLS is not proven. Before, the
    /// handshake replaced the host's list with OpenSSL's defaults and
    /// succeeded where this host's clients fail (found by a review).
    @Test func theProbeKeepsTheGroupsThisHostOffers() async throws {
        try await TestCluster.with { cluster in
            try cluster.enableSSLWithP256Only()
            let configuration = cluster.local.root + "/openssl-without-p256.cnf"
            try """
                openssl_conf = openssl_init
                [openssl_init]
                ssl_conf = ssl_sect
                [ssl_sect]
                system_default = system_default_sect
                [system_default_sect]
                Groups = X25519:P-384

                """.write(toFile: configuration, atomically: true, encoding: .utf8)
            let oracle = try ProcessRunner.run("sh", ["-c", "echo | openssl s_client -starttls postgres -connect 127.0.0.1:\(cluster.port) 2>&1"],
                                               environment: ["OPENSSL_CONF": configuration], inheritEnvironment: true)
            #expect(oracle.stdout.contains("handshake failure"), "this host's OpenSSL should fail here:\n\(oracle.stdout)")
            let limited = try Wizard.run(["status", "--json", cluster.socketConninfo], environment: ["OPENSSL_CONF": configuration])
            #expect(limited.stdout.contains("\"probe\" : \"not_probed\""), "\(limited.stdout)\n\(limited.stderr)")
            // With the host's own defaults, the same probe succeeds.
            let defaults = try Wizard.run(["status", "--json", cluster.socketConninfo])
            #expect(defaults.stdout.contains("\"probe\" : \"offered\""), "\(defaults.stdout)\n\(defaults.stderr)")
        }
    }
}

/// A root certificate in the operator's home directory (which libpq reads
/// unasked) makes the probe libpq's, with a login, after the sessions are
/// read: the handshake begun ahead of the reads looks for that file first
/// and starts nothing, so the server sees that one TCP connection only.
struct ProbeWithAFileInHomeTests {
    @Test func aRootCertificateAtHomeMakesTheProbeLibpqsAlone() async throws {
        try await TestCluster.withPrivateLoopback { cluster in
            let certificate = try ProbeBesideSnapshotTests.loggingEverything(cluster)
            let home = FileManager.default.temporaryDirectory.path + "/pgsw-home-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: home) }
            try FileManager.default.createDirectory(atPath: home + "/.postgresql", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: certificate.caPath, toPath: home + "/.postgresql/root.crt")
            let logged = cluster.serverLog.utf8.count
            let status = try Wizard.run(["status", "--json", cluster.socketConninfo], environment: ["HOME": home])
            #expect(status.stdout.contains("\"probe\" : \"offered\""), "\(status.stdout)\n\(status.stderr)")
            let log = String(decoding: cluster.serverLog.utf8.dropFirst(logged), as: UTF8.self)
            #expect(log.components(separatedBy: "connection received: host=127.0.0.1").count - 1 == 1, "\(log)")
            let sessions = try #require(log.range(of: "FROM pg_catalog.pg_stat_get_activity(NULL) s"), "no sessions statement in:\n\(log)")
            let probe = try #require(log.range(of: "connection received: host=127.0.0.1"), "no TCP connection in:\n\(log)")
            #expect(sessions.lowerBound < probe.lowerBound, "the probe connected before the sessions were read:\n\(log)")
            #expect(log.contains("SSL enabled"), "libpq did not log in:\n\(log)")
        }
    }
}
