import ClusterFacts
import Foundation
import PostgresClient
import Testing
import TestSupport

struct ServerInspectorTests {
    @Test func snapshotOfAFreshCluster() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let snapshot = try ServerInspector(connection: connection).snapshot()
            #expect(snapshot.server.version.major == cluster.version.major)
            #expect(snapshot.server.hbaFile == cluster.hbaFile)
            #expect(snapshot.server.dataDirectory == cluster.dataDirectory)
            #expect(snapshot.server.systemIdentifier.count > 10)
            #expect(snapshot.privileges.isSuperuser)
            #expect(snapshot.own.pid == connection.backendPID)
            #expect(snapshot.setting("ssl")?.value == "off")
            #expect(snapshot.setting("ssl")?.context == "sighup")
            #expect(snapshot.setting("ssl_min_protocol_version")?.value == "TLSv1.2")
            #expect(snapshot.fileSettingErrors.isEmpty)
            #expect(snapshot.hbaRules?.map(\.lineNumber) == [2, 3, 4, 5, 6])
            #expect(snapshot.hbaRules?.first?.type == "local")
            #expect(snapshot.fileAccess.hbaReadable)
            #expect(snapshot.fileAccess.sameHostVerified)
            #expect(snapshot.sessions.contains { $0.pid == connection.backendPID && $0.transport == .unixSocket })
        }
    }

    @Test func sessionsCarryTheirTransportAndTLS() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            try cluster.holdSessions(1, via: .tcp(sslmode: "require"), applicationName: "tls-app")
            try cluster.holdSessions(1, via: .socket, applicationName: "socket-app")
            let snapshot = try ServerInspector(connection: cluster.superuserConnection()).snapshot()
            let byApp = Dictionary(grouping: snapshot.sessions, by: { $0.applicationName ?? "" })
            #expect(byApp["plain-app"]?.count == 2)
            #expect(byApp["plain-app"]?.allSatisfy { $0.isPlainTCP && $0.clientAddress == "127.0.0.1" } == true)
            let tls = try #require(byApp["tls-app"]?.first)
            #expect(tls.ssl == true && tls.tlsVersion?.hasPrefix("TLSv1.") == true && (tls.bits ?? 0) >= 128)
            #expect(byApp["socket-app"]?.first?.transport == .unixSocket)
            #expect(snapshot.sessions.contains { $0.backendType == "checkpointer" && !$0.isClient })
        }
    }

    @Test func fileSettingErrorsAreReported() async throws {
        try await TestCluster.with { cluster in
            try cluster.local.appendConfiguration("ssl_min_protocol_version = 'TLSv9'")
            let snapshot = try ServerInspector(connection: cluster.superuserConnection()).snapshot()
            #expect(snapshot.fileSettingErrors.count == 1)
            #expect(snapshot.fileSettingErrors.first?.name == "ssl_min_protocol_version")
        }
    }

    @Test func aRoleWithoutPrivilegesSeesLessAndSaysSo() async throws {
        try await TestCluster.with { cluster in
            // Made here, not written in the source: the cluster listens on the host's loopback.
            let password = "auditor-" + UUID().uuidString.lowercased()
            try cluster.sql("CREATE ROLE auditor LOGIN PASSWORD '\(password)'")
            let connection = try Connection.connect(ConnectionTarget(cluster.tcpConninfo(user: "auditor", password: password)))
            let snapshot = try ServerInspector(connection: connection).snapshot()
            #expect(!snapshot.privileges.isSuperuser)
            #expect(snapshot.privileges.missingForAudit == ["pg_read_all_stats"])
            #expect(snapshot.hbaRules == nil)
            #expect(snapshot.fileSettings.isEmpty)
            #expect(snapshot.server.hbaFile.isEmpty)
            #expect(!snapshot.fileAccess.hbaReadable)
        }
    }

    @Test func tlsProbeSeesThroughSSLOnWithBrokenCertificates() async throws {
        try await TestCluster.with { cluster in
            // ssl = on with a certificate file that does not exist: SHOW ssl says on,
            // but the server answers every SSLRequest with "N" (docs/POSTGRES.md,
            // "SSL initialisation and reload").
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = 'missing.crt'")
            try cluster.sql("ALTER SYSTEM SET ssl = on")
            try cluster.reload()
            try cluster.waitFor("the reload") { try cluster.sql("SHOW ssl").first?.string("ssl") == "on" }
            let connection = try cluster.superuserConnection()
            let snapshot = try ServerInspector(connection: connection).snapshot()
            #expect(snapshot.sslSettingOn)
            let probe = TLSProbe.probe(target: connection.target, server: snapshot.server, own: snapshot.own,
                              keyShare: KeyShareGroup(serverGroups: snapshot.keyExchangeGroups?.value))
            #expect(probe.availability == .refused)
        }
    }
}
