import ClusterFacts
import Executor
import Foundation
import PlanningInputs
import PostgresClient
import Testing
import TestSupport

/// The checks before a reload and the proof after it, against real servers,
/// including the traps of docs/POSTGRES.md,
/// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi" and
/// "Reload and its failure modes".
@Suite(.serialized) struct ReloadChecksTests {
    static let good = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"

    static func candidateProblems(_ cluster: TestCluster) throws -> [String] {
        let connection = try cluster.superuserConnection()
        defer { connection.close() }
        return try PreReloadChecks.candidateHBA(connection, hbaFile: cluster.hbaFile, version: cluster.version, sslOn: false, files: DiskFileSource())
    }

    @Test func candidateChecksCatchWhatTheServerWouldRefuse() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA(Self.good)
            #expect(try Self.candidateProblems(cluster).isEmpty)

            try cluster.writeHBA(Self.good + "host all all 10.0.0.0/33 md5\n")
            let bad = try Self.candidateProblems(cluster)
            #expect(bad.contains { $0.hasPrefix("our parse: line 3") })
            #expect(bad.contains { $0.hasPrefix("pg_hba_file_rules line 3") && $0.contains("invalid") })

            // clientcert=1 fails the line with no error text on 14+. With ssl off the view shows only
            // the harmless-looking SSL warning for it: our parse is what catches it.
            try cluster.writeHBA(Self.good + "hostssl all all 10.0.0.0/8 md5 clientcert=1\n")
            let hidden = try Self.candidateProblems(cluster)
            #expect(hidden.contains { $0.hasPrefix("our parse: line 3") }, "\(hidden)")
            #expect(!hidden.contains { $0.hasPrefix("pg_hba_file_rules") }, "the view hides it behind the warning")
            // With ssl on, the server's view shows the all-NULL row.
            try cluster.writeHBA(Self.good)
            _ = try cluster.enableSSL()
            try cluster.writeHBA(Self.good + "hostssl all all 10.0.0.0/8 md5 clientcert=1\n")
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let silent = try PreReloadChecks.candidateHBA(connection, hbaFile: cluster.hbaFile, version: cluster.version, sslOn: true, files: DiskFileSource())
            #expect(silent.contains { $0.hasPrefix("pg_hba_file_rules line 3") && $0.contains("without a message") }, "\(silent)")
            #expect(silent.contains { $0.hasPrefix("our parse: line 3") })

            try cluster.writeHBA("# only comments\n\n")
            #expect(try Self.candidateProblems(cluster).contains { $0.contains("no rows") })
        }
    }

    @Test func configurationFileErrorsAreFound() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            #expect(try PreReloadChecks.configurationErrors(connection).isEmpty)
            try cluster.local.appendConfiguration("this is not a setting")
            let errors = try PreReloadChecks.configurationErrors(connection)
            #expect(errors.count == 1 && errors[0].contains("postgresql.conf line") && errors[0].contains("syntax error"), "\(errors)")
        }
    }

    /// Server-side evidence only: a later pg_conf_load_time() in a new
    /// session, and the server's own parse of the file it just loaded.
    @Test func reloadIsProvenByANewSessionAndTheServersOwnParse() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let probe = try ConnectionTarget(cluster.socketConninfo)
            try cluster.writeHBA(Self.good + "host all all 10.0.0.0/8 md5\n")
            let loaded = try cluster.sql("SELECT extract(epoch FROM pg_conf_load_time())::float8 AS t").rows.first?.optionalDouble("t") ?? 0
            guard case .taken(let loadedAt) = try ReloadProof.reload(connection, probe: probe, hba: (cluster.hbaFile, cluster.version)) else {
                Issue.record("the reload was not taken")
                return
            }
            #expect(try loadedAt > loaded && loadedAt == cluster.sql("SELECT extract(epoch FROM pg_conf_load_time())::float8 AS t").rows.first?.optionalDouble("t"),
                    "the postmaster's new load time, as a session forked after it sees it")

            // A broken file: pg_reload_conf() still returns true, the old rules stay.
            try cluster.writeHBA(Self.good + "host all all 10.0.0.0/33 md5\n")
            let outcome = try ReloadProof.reload(connection, probe: probe, hba: (cluster.hbaFile, cluster.version))
            guard case .notTaken(let reason) = outcome else {
                Issue.record("a rejected pg_hba.conf must not count as reloaded")
                return
            }
            #expect(reason.contains("kept its previous rules") && reason.contains("invalid CIDR mask"), "\(reason)")
        }
    }
}
