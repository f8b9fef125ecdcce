import ClusterFacts
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The libpq wrapper against a real server.
@Suite(.serialized) struct ConnectionTests {
    @Test func parameterisedQueriesCarryTextSafely() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let tricky = "O'Brien; DROP TABLE x; -- ünïcødé \"quoted\""
            let row = try #require(try connection.query("SELECT $1::text AS echoed, $2::int + 1 AS next, $3::bool AS flag, $4::text IS NULL AS missing",
                                                        [tricky, 41, true, nil]).first)
            #expect(try row.string("echoed") == tricky)
            #expect(try row.int("next") == 42)
            #expect(try row.bool("flag"))
            #expect(try row.bool("missing"))
        }
    }

    @Test func serverErrorsCarrySQLStateMessageDetailAndHint() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let cases: [(String, String)] = [("SELECT 1/0", "22012"), ("SELECT * FROM no_such_table", "42P01"), ("SELEC 1", "42601")]
            for (sql, state) in cases {
                #expect {
                    try connection.query(sql)
                } throws: { error in
                    (error as? PostgresError)?.sqlState == state
                }
            }
            // A hint and a detail come back as their own fields.
            do {
                try connection.query("ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1.4'")
                Issue.record("ALTER SYSTEM accepted an invalid enum value")
            } catch let PostgresError.server(error) {
                #expect(error.sqlState == "22023")
                #expect(error.message.contains("invalid value for parameter \"ssl_min_protocol_version\""))
                #expect(error.hint?.contains("Available values") == true)
            }
            // The connection survives statement errors.
            #expect(try connection.query("SELECT 1 AS one").first?.int("one") == 1)
        }
    }

    @Test func ownSessionFactsOverSocketAndTCP() async throws {
        try await TestCluster.with { cluster in
            let socket = try cluster.superuserConnection()
            let viaSocket = try socket.ownSession()
            #expect(viaSocket.transport == .unixSocket)
            #expect(viaSocket.pid == socket.backendPID)
            #expect(viaSocket.serverAddress == nil)
            #expect(!viaSocket.ssl)
            let appName = try socket.query("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            #expect(try appName.first?.string("application_name") == "pg-ssl-wizard")

            let tcp = try Connection.connect(ConnectionTarget(cluster.tcpConninfo()))
            let viaTCP = try tcp.ownSession()
            #expect(viaTCP.transport == .tcp)
            #expect(viaTCP.serverAddress == "127.0.0.1")
            #expect(viaTCP.clientAddress == "127.0.0.1")
            #expect(viaTCP.sslMode == "disable")

            _ = try cluster.enableSSL()
            let encrypted = try Connection.connect(ConnectionTarget(cluster.tcpConninfo(sslmode: "require")))
            let viaTLS = try encrypted.ownSession()
            #expect(viaTLS.ssl)
            #expect(viaTLS.tlsProtocol?.hasPrefix("TLSv1.") == true)
            #expect(viaTLS.cipher != nil)
            #expect((encrypted.peerCertificateDER?.count ?? 0) > 100)
            #expect(tcp.peerCertificateDER == nil)
        }
    }

    @Test func libpqEnvironmentAndApplicationNameAreHonoured() async throws {
        try await TestCluster.with { cluster in
            // An explicit application_name in the conninfo wins over our fallback.
            let named = try Connection.connect(ConnectionTarget(cluster.socketConninfo + " application_name=ops-console"))
            #expect(try named.query("SELECT current_setting('application_name') AS a").first?.string("a") == "ops-console")
            // A URI works too.
            let uri = "postgresql://postgres@/postgres?host=\(cluster.local.socketDirectory)&port=\(cluster.port)"
            let viaURI = try Connection.connect(ConnectionTarget(uri))
            #expect(viaURI.user == "postgres")
        }
    }

    @Test func malformedConninfoIsRejectedBeforeConnecting() {
        #expect(throws: PostgresError.self) { try ConnectionTarget("host=localhost port") }
        #expect(throws: PostgresError.self) { try ConnectionTarget("nosuchkeyword=1") }
    }

    @Test func descriptionsNeverContainThePassword() throws {
        let target = try ConnectionTarget("host=db.example port=5433 user=alice password=s3cret-value dbname=app")
        #expect(!target.redactedDescription.contains("s3cret-value"))
        #expect(target.redactedDescription == "host=db.example port=5433 dbname=app user=alice")
        let uri = try ConnectionTarget("postgresql://alice:s3cret-value@db.example:5433/app?sslmode=require")
        #expect(!uri.redactedDescription.contains("s3cret-value"))
        #expect(uri.redactedDescription.contains("sslmode=require"))
    }

    @Test func connectionFailuresAreOneLine() async throws {
        try await TestCluster.with { cluster in
            do {
                _ = try Connection.connect(ConnectionTarget(cluster.tcpConninfo(password: "wrong-password-xyz")))
                Issue.record("a wrong password was accepted")
            } catch let error as PostgresError {
                let message = operatorMessage(for: error)
                #expect(message.contains("password authentication failed"))
                #expect(!message.contains("wrong-password-xyz"))
                #expect(!message.contains("\n"))
            }
        }
    }
}
