import ClusterFacts
import Foundation
@testable import PlanningInputs
import PostgresClient
import Testing
import TestSupport

/// A socket operator's TLS probe, the handshake alone, starts before the
/// snapshot's first reads (`HandshakeAhead`), and is kept only when those
/// reads call for that very handshake. The server's log says when its
/// connection came: `check` runs after the snapshot's first five reads and
/// before the sessions are read.
struct HandshakeAheadTests {
    static func loggingConnections(_ cluster: TestCluster) throws {
        _ = try cluster.enableSSL()
        try cluster.sql("ALTER SYSTEM SET log_connections = on")
        try cluster.reload()
        try cluster.waitFor("log_connections in new sessions") {
            try cluster.sql("SHOW log_connections").rows.first?.string("log_connections") == "on"
        }
    }

    static func handshakeLogged(_ cluster: TestCluster, after offset: Int) -> Bool {
        String(decoding: cluster.serverLog.utf8.dropFirst(offset), as: UTF8.self).contains("connection received: host=127.0.0.1")
    }

    /// Fails on the code before `HandshakeAhead`: the handshake started only
    /// after `check`, so its connection never came while `check` waited.
    @Test func theHandshakeIsUnderWayBeforeTheFirstReadsAreChecked() async throws {
        try await TestCluster.with { cluster in
            try Self.loggingConnections(cluster)
            let target = try ConnectionTarget(cluster.socketConninfo)
            let connection = try Connection.connect(target)
            defer { connection.close() }
            let logged = cluster.serverLog.utf8.count
            var underWay = false
            let reading = try SnapshotWithTLS.read(target, connection: connection, parsingCertificate: true) { _ in
                let deadline = Date().addingTimeInterval(5)
                while !underWay && Date() < deadline {
                    underWay = Self.handshakeLogged(cluster, after: logged)
                    if !underWay { Thread.sleep(forTimeInterval: 0.01) }
                }
            }
            #expect(underWay, "no TCP connection reached the server before the sessions were read")
            #expect(reading.tls == .offered)
            #expect(reading.servedCertificate?.subject.contains("localhost") == true, "\(String(describing: reading.servedCertificate))")
            let log = String(decoding: cluster.serverLog.utf8.dropFirst(logged), as: UTF8.self)
            #expect(log.components(separatedBy: "connection received: host=127.0.0.1").count - 1 == 1, "one handshake, no other:\n\(log)")
        }
    }

    /// With ssl off nothing is begun: the handshake facts say so first.
    @Test func nothingIsBegunWhenSSLIsOff() async throws {
        try await TestCluster.with { cluster in
            try cluster.sql("ALTER SYSTEM SET log_connections = on")
            try cluster.reload()
            try cluster.waitFor("log_connections in new sessions") {
                try cluster.sql("SHOW log_connections").rows.first?.string("log_connections") == "on"
            }
            let target = try ConnectionTarget(cluster.socketConninfo)
            let connection = try Connection.connect(target)
            defer { connection.close() }
            let logged = cluster.serverLog.utf8.count
            let reading = try SnapshotWithTLS.read(target, connection: connection)
            #expect(reading.tls == .notProbed("ssl is off"))
            #expect(!Self.handshakeLogged(cluster, after: logged))
        }
    }
}
