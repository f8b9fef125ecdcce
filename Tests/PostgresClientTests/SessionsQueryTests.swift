import Foundation
import PostgresClient
import SQLCatalogue
import Testing
import TestSupport

/// `InspectionQueries.sessions` asks pg_stat_get_activity once where the
/// views a DBA joins (pg_stat_activity, pg_stat_ssl, pg_stat_gssapi) ask it
/// three times: it must give the very rows the views give, for plain TCP,
/// TLS and socket sessions and the server's own processes, to a superuser and
/// to a role that sees other roles' sessions masked, and for a session whose
/// role was dropped (`SessionReadings`; VersionMatrixTests compares them on
/// 14-18 with a walsender and a client in a namespace).
@Suite(.serialized) struct SessionsQueryTests {
    @Test func theFunctionReadOnceGivesTheViewsRows() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            try cluster.holdSessions(2, via: .tcp(sslmode: "disable"), applicationName: "plain-app")
            try cluster.holdSessions(2, via: .tcp(sslmode: "require"), applicationName: "tls-app")
            try cluster.holdSessions(1, via: .socket, applicationName: "socket-app")
            try cluster.sql("CREATE ROLE peeker LOGIN")
            // A session outlives its role: both readings must leave its user NULL.
            try cluster.sql("CREATE ROLE ghost LOGIN")
            try cluster.holdSessions(1, via: .socket, applicationName: "ghost-app", user: "ghost")
            try cluster.sql("DROP ROLE ghost")

            let superuser = try cluster.superuserConnection()
            let asSuperuser = try SessionReadings.both(superuser)
            #expect(asSuperuser.function == asSuperuser.views, "\(asSuperuser.function)\nagainst\n\(asSuperuser.views)")
            // The comparison covers every kind of row: the server's own processes (no TLS columns),
            // plain TCP, TLS and the socket.
            let result = try superuser.query(InspectionQueries.sessions)
            let kinds = try result.rows.map { row in
                (try row.optionalString("application_name") ?? "", try row.optionalString("ssl"), try row.optionalString("tls_version"),
                 try row.optionalString("backend_type") ?? "")
            }
            #expect(kinds.contains { $0.3 == "checkpointer" && $0.1 == nil })
            #expect(kinds.filter { $0.0 == "plain-app" && $0.1 == "f" }.count == 2)
            #expect(kinds.filter { $0.0 == "tls-app" && $0.1 == "t" && ($0.2 ?? "").hasPrefix("TLSv1.") }.count == 2)
            #expect(kinds.filter { $0.0 == "socket-app" && $0.1 == "f" }.count == 1)
            #expect(try result.rows.filter { try $0.optionalString("application_name") == "ghost-app" }
                .map { row in try row.optionalString("user") } == [nil])

            let peeker = try Connection.connect(ConnectionTarget(cluster.local.socketConninfo(user: "peeker")))
            let masked = try SessionReadings.both(peeker)
            #expect(masked.function == masked.views, "\(masked.function)\nagainst\n\(masked.views)")
            // Masked indeed: another role's sessions without their port or TLS state.
            let peeked = try peeker.query(InspectionQueries.sessions)
            let plainAsPeeker = try peeked.rows.filter { try $0.optionalString("application_name") == "plain-app" }
            #expect(plainAsPeeker.count == 2)
            #expect(try plainAsPeeker.allSatisfy { try $0.optionalString("client_port") == nil && $0.optionalString("ssl") == nil })
        }
    }
}
