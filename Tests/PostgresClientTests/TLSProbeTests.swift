import ClusterFacts
import Foundation
import HostIO
import PostgresClient
import Testing
import TestSupport

/// `status` and the plan prove TLS with the handshake alone (docs/POSTGRES.md,
/// "SSL initialisation and reload"): no login, so no credentials sent, no
/// session started, and the certificate seen whatever the TCP rules ask for.
/// Before, the probe logged in with libpq: a session and an authentication
/// per `status`, and no certificate where the operator had no TCP password.
struct TLSProbeTests {
    /// The certificate file in DER, by `openssl x509` (the oracle).
    static func der(of certificatePath: String, in directory: String) throws -> [UInt8] {
        let path = directory + "/oracle.der"
        _ = try ProcessRunner.checked("openssl", ["x509", "-in", certificatePath, "-outform", "DER", "-out", path])
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func probe(_ cluster: TestCluster, conninfo: String? = nil) throws -> TLSProbe.Result {
        let connection = try Connection.connect(ConnectionTarget(conninfo ?? cluster.socketConninfo))
        defer { connection.close() }
        let snapshot = try ServerInspector(connection: connection).snapshot()
        return TLSProbe.probe(target: connection.target, server: snapshot.server, own: snapshot.own,
                              keyShare: KeyShareGroup(serverGroups: snapshot.keyExchangeGroups?.value))
    }

    /// The server log written from `offset` on, and whether a TCP login over TLS was admitted in it.
    static func loggedIn(_ cluster: TestCluster, since offset: Int) -> (Bool, String) {
        let added = String(decoding: cluster.serverLog.utf8.dropFirst(offset), as: UTF8.self)
        return (added.split(separator: "\n").contains { $0.contains("connection authorized") && $0.contains("SSL enabled") }, added)
    }

    static func logConnectionsOverTrustedTCP(_ cluster: TestCluster) throws {
        try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        try cluster.sql("ALTER SYSTEM SET log_connections = on")
        try cluster.reload()
        try cluster.waitFor("log_connections") { try cluster.sql("SHOW log_connections").first?.string("log_connections") != "off" }
    }

    @Test func theHandshakeAloneStartsNoSession() async throws {
        try await TestCluster.withPrivateLoopback { cluster in
            let certificate = try cluster.enableSSL()
            // Over TCP anyone is admitted: a login, had the probe tried one, would succeed and be logged.
            try Self.logConnectionsOverTrustedTCP(cluster)
            let logBefore = cluster.serverLog.utf8.count
            let probe = try Self.probe(cluster)
            #expect(probe.availability == .offered)
            #expect(probe.servedCertificateDER == (try Self.der(of: certificate.certificatePath, in: certificate.directory)))
            #expect(probe.tlsProtocol?.hasPrefix("TLSv1.") == true)
            // The socket session above is authorized over the socket; nothing over TCP is.
            let (loggedIn, added) = Self.loggedIn(cluster, since: logBefore)
            #expect(added.contains("connection received: host=127.0.0.1"), "the probe never reached the server: \(added)")
            #expect(!loggedIn, "the probe logged in: \(added)")
        }
    }

    @Test func aSocketOperatorWithoutATCPPasswordStillSeesTheCertificate() async throws {
        try await TestCluster.with { cluster in
            let certificate = try cluster.enableSSL()
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
            try cluster.reload()
            try cluster.waitFor("the TCP rule") {
                try cluster.sql("SELECT count(*) AS n FROM pg_hba_file_rules WHERE auth_method = 'scram-sha-256'").first?.int("n") == 1
            }
            let probe = try Self.probe(cluster)
            #expect(probe.availability == .offered)
            #expect(probe.servedCertificateDER == (try Self.der(of: certificate.certificatePath, in: certificate.directory)))
        }
    }

    /// Where a login would prove more, libpq logs in as before: a TCP
    /// operator's probe goes where their session went (a tunnel's far end
    /// is not the address the server reports), and an operator with a root
    /// certificate has it verify the server even with `require`.
    @Test(arguments: ["tcp", "root certificate"])
    func anOperatorWithMoreThanLibpqsDefaultsIsProbedByLibpq(operatorKind: String) async throws {
        try await TestCluster.withPrivateLoopback { cluster in
            let certificate = try cluster.enableSSL()
            try Self.logConnectionsOverTrustedTCP(cluster)
            // The operator's own session is plain (over TCP) or on the socket: only the probe's login is over TLS.
            let conninfo = operatorKind == "tcp" ? cluster.tcpConninfo(sslmode: "disable")
                : cluster.socketConninfo + " sslrootcert=\(certificate.caPath)"
            let logBefore = cluster.serverLog.utf8.count
            let probe = try Self.probe(cluster, conninfo: conninfo)
            #expect(probe.availability == .offered)
            #expect(probe.servedCertificateDER == (try Self.der(of: certificate.certificatePath, in: certificate.directory)))
            let (loggedIn, added) = Self.loggedIn(cluster, since: logBefore)
            #expect(loggedIn, "no login by libpq: \(added)")
        }
    }

    /// The handshake runs while the sessions are read (`SnapshotWithTLS`).
    /// That holds because 18, which lists a login from its startup packet
    /// on, lists nothing for a connection that has done the handshake alone.
    @Test func aHandshakeWithoutAStartupPacketIsInNoViewOn18() async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: 18)) { cluster in
            _ = try cluster.enableSSL()
            let held = try StalledStartup.connect(cluster, .handshakeOnly)
            defer { held.stop() }
            try held.handshake(cluster)
            usleep(200_000)
            #expect(try cluster.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE client_port > 0").rows.first?.int32("n") == 0)
        }
    }

    /// 13 to 17 take one group, `ssl_ecdh_curve` (prime256v1 by default); 18
    /// is set to it here. A client whose first key share is for X25519,
    /// OpenSSL's first, is asked for another (HelloRetryRequest): one more
    /// round trip on every probe. The probe offers the server's own group
    /// first, read from its settings (`KeyShareGroup`).
    @Test func theProbeOffersTheServersOwnGroupFirst() async throws {
        try await TestCluster.with { cluster in
            try cluster.enableSSLWithP256Only()
            // OpenSSL's order costs the retry on this server: what the probe saves.
            let inOpenSSLsOrder = try StartTLSHandshake.handshake(host: "127.0.0.1", port: cluster.port, keyShare: nil).get()
            #expect(inOpenSSLsOrder.helloRetried)
            let probe = try Self.probe(cluster)
            #expect(probe.availability == .offered)
            #expect(probe.helloRetried == false, "the probe's first key share was not for the server's group")
            #expect(probe.servedCertificateDER == inOpenSSLsOrder.certificateDER)
        }
    }
}
