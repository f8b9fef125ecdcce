import Certificates
import ClusterFacts
@testable import Executor
import Foundation
import HostIO
import PlanningInputs
import PostgresClient
import Testing
import TestSupport

/// The dead-man check's TCP attempt for a socket operator goes to a listen
/// address of the server. Whoever answers there must serve a certificate the
/// run accepts, and hears no credentials: a listener of someone else's on
/// that address (the server on `::1` only, another local user on
/// `127.0.0.1` at the same port) proves nothing and learns nothing.
struct DeadManPeerTests {
    enum Answer: String, CaseIterable, Sendable {
        case letsEveryoneIn = "trust"
        case refusesAfterItsHandshake = "reject"
    }

    /// A runner for `cluster` as a socket operator who also has a password
    /// (the one the operator's TCP clients would send), aimed at `port`.
    static func runner(_ cluster: TestCluster, _ connection: Connection, port: Int? = nil) throws -> EffectRunner {
        let snapshot = try ServerInspector(connection: connection).snapshot()
        var context = RunContext(target: connection.target.with("password", "operator-secret"), snapshot: snapshot, stamp: "peer-test")
        if let port { context.server.port = port }
        return EffectRunner(context: context, connection: connection, stateDirectory: StateDirectory(path: cluster.local.root + "/state"))
    }

    static func served(_ cluster: TestCluster) throws -> String {
        guard case .served(let fingerprint, _, _) = ServedCertificate.withoutLogin(host: "127.0.0.1", port: cluster.port, keyShare: nil) else {
            throw TestEnvironment.Missing(description: "the server serves no certificate")
        }
        return fingerprint
    }

    /// The attempt's handshake offers the server's own key-exchange group
    /// first (`KeyShareGroup`), read with the run's snapshot: on 13-17's
    /// default, prime256v1, one round trip less before the certificate is
    /// compared, inside the exposure window.
    @Test func theAttemptOffersTheServersOwnGroupFirst() async throws {
        try await TestCluster.with { cluster in
            try cluster.enableSSLWithP256Only()
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let keyShare = try Self.runner(cluster, connection).context.keyShare
            #expect(keyShare?.ianaNumber == 0x0017, "P-256")
            let served = try StartTLSHandshake.handshake(host: "127.0.0.1", port: cluster.port, keyShare: keyShare).get()
            #expect(!served.helloRetried)
        }
    }

    /// Before, an impostor that let everyone in, or refused after its
    /// handshake, counted as "TLS over TCP works".
    @Test(arguments: Answer.allCases)
    func aPeerServingAnotherCertificateIsNoWayIn(answer: Answer) async throws {
        try await TestCluster.withPrivateLoopback { server, impostor in
            _ = try server.enableSSL()
            try server.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 trust\n")
            try server.reload()
            let proven = try Self.served(server)
            _ = try impostor.enableSSL()
            try impostor.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 \(answer.rawValue)\n")
            try impostor.reload()
            let connection = try server.superuserConnection()
            defer { connection.close() }
            #expect(try Self.runner(server, connection).attemptTCPWithSSL(host: "127.0.0.1", timeoutSeconds: 5, accepted: [proven]) == nil,
                    "the server itself is the way in")
            // Let in by trust: the attempt's close_notify ends that session cleanly, and the server logs nothing.
            try server.waitFor("the attempt's session to end") {
                try server.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pg-ssl-wizard dead-man check'")
                    .rows.first?.int32("n") == 0
            }
            #expect(!server.local.logTail(lines: 50).contains("could not receive data from client"), "\(server.local.logTail(lines: 10))")
            let answered = try Self.runner(server, connection, port: impostor.port)
                .attemptTCPWithSSL(host: "127.0.0.1", timeoutSeconds: 5, accepted: [proven])
            #expect(answered?.message.contains("not the proven \(proven)") == true, "\(answered?.message ?? "accepted")")
        }
    }

    /// A peer that asks for a password in clear after its handshake (what an
    /// impostor would do) gets none, even where its certificate passed: the
    /// attempt sends a startup packet and stops at the answer. Before, libpq
    /// logged in with the operator's connection string, password and all.
    @Test func aPeerAskingForAPasswordGetsNone() async throws {
        try await TestCluster.with { cluster in
            let certificate = try TestCertificate.make(in: cluster.local.root + "/peer-tls", owner: OSUser.current)
            let peerFingerprint = try Fingerprint.sha256(Array(Data(contentsOf: URL(fileURLWithPath: certificate.certificatePath))).pemDERBody())
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let lines = try Self.withPasswordAskingPeer(certificate: certificate.certificatePath, key: certificate.keyPath, in: cluster.local.root) { port in
                let answered = try Self.runner(cluster, connection, port: port).attemptTCPWithSSL(host: "127.0.0.1", timeoutSeconds: 5, accepted: [peerFingerprint])
                #expect(answered == nil, "an authentication request is an answer: \(answered?.message ?? "")")
            }
            #expect(lines.first?.contains("pg-ssl-wizard dead-man check") == true, "the startup packet names the check: \(lines)")
            #expect(lines.last == "b''", "nothing after the startup packet, no password: \(lines)")
            #expect(!lines.joined().contains("operator-secret"))
        }
    }

    /// A TLS peer on a free loopback port, serving `certificate`, that asks
    /// for a password in clear after the startup packet, writes down what it
    /// heard (the startup packet, then what followed, or `b''`) and refuses.
    static func withPasswordAskingPeer(certificate: String, key: String, in directory: String, _ body: (Int) throws -> Void) throws -> [String] {
        let heard = directory + "/heard-\(UUID().uuidString)"
        let program = """
            import socket, ssl, os
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
            open("\(heard).port.tmp", "w").write(str(s.getsockname()[1])); os.rename("\(heard).port.tmp", "\(heard).port")
            c, _ = s.accept()
            c.recv(8); c.sendall(b"S")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain("\(certificate)", "\(key)")
            t = context.wrap_socket(c, server_side=True)
            startup = t.recv(4096)
            t.sendall(b"R\\x00\\x00\\x00\\x08\\x00\\x00\\x00\\x03")
            t.settimeout(2)
            try:
                more = t.recv(4096)
            except Exception:
                more = b""
            fatal = b"SFATAL\\x00C28P01\\x00Mpassword authentication failed\\x00\\x00"
            try:
                t.sendall(b"E" + (len(fatal) + 4).to_bytes(4, "big") + fatal)
            except Exception:
                pass
            open("\(heard).tmp", "w").write(repr(startup) + "\\n" + repr(more)); os.rename("\(heard).tmp", "\(heard)")
            """
        let peer = try ProcessRunner.spawn("python3", ["-c", program])
        defer { peer.terminate(graceSeconds: 1) }
        var port: Int?
        for _ in 0..<500 where port == nil {
            port = (try? String(contentsOfFile: heard + ".port", encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(10_000) }
        }
        try body(try #require(port, "the peer did not start"))
        var lines: [String] = []
        for _ in 0..<500 where lines.isEmpty {
            lines = (try? String(contentsOfFile: heard, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            if lines.isEmpty { usleep(10_000) }
        }
        return lines
    }

    /// A certificate renewed on disk (and loaded) since phase A's proof, as
    /// after a long `--observe` or a resume days later, is the server's: the
    /// check looks the file up on a mismatch, accepts it and says so.
    @Test func aCertificateRenewedSinceTheProofIsAccepted() async throws {
        try await TestCluster.with { cluster in
            let first = try cluster.enableSSL()
            try cluster.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
            try cluster.reload()
            let proven = try Self.served(cluster)
            let renewed = try TestCertificate.make(in: first.directory + "-renewed", owner: cluster.local.owner)
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(renewed.certificatePath)'")
            try cluster.sql("ALTER SYSTEM SET ssl_key_file = '\(renewed.keyPath)'")
            try cluster.reload()
            try cluster.waitFor("the renewed certificate") { try Self.served(cluster) != proven }
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let performed = try Self.runner(cluster, connection).openTestConnection(timeoutSeconds: 5, proven: proven)
            #expect(performed.event == .testConnectionSucceeded, "\(performed.event)")
            #expect(performed.after?["certificate_renewed_since_the_proof"] == (try Self.served(cluster)))
        }
    }
}

extension Array where Element == UInt8 {
    /// The DER inside a PEM file's first block.
    func pemDERBody() throws -> [UInt8] {
        let text = String(decoding: self, as: UTF8.self)
        let body = text.components(separatedBy: "-----BEGIN CERTIFICATE-----")[1].components(separatedBy: "-----END CERTIFICATE-----")[0]
        guard let der = Data(base64Encoded: body.filter { !$0.isWhitespace }) else { throw TestEnvironment.Missing(description: "not PEM") }
        return Array(der)
    }
}
