import Executor
import Foundation
import HostIO
import PostgresClient
import Testing
import TestSupport

/// Generated files loaded by a real PostgreSQL and used by a real psql with
/// sslmode=verify-full, by name and by address.
struct RealServerTests {
    @Test func serverLoadsGeneratedFilesAndPsqlVerifiesFull() async throws {
        try TestEnvironment.requireRoot(for: "running PostgreSQL as the postgres user")
        try await TestCluster.with { cluster in
            let caDirectory = try TestEnvironment.scratchDirectory() + "/ca"
            let run = try Wizard.run(["certs", "generate", "--ca", "--dns", "localhost", "--ip", "127.0.0.1",
                                      "--out", cluster.dataDirectory, "--ca-dir", caDirectory])
            #expect(run.exitCode == 0, "\(run.stderr)")
            // Written as the data directory's owner, the key 0600.
            let owner = OSUser.owner(of: cluster.dataDirectory)
            #expect(OSUser.owner(of: cluster.dataDirectory + "/server.key") == owner)
            // The inspection by CONNINFO finds the files through the server's settings.
            let inspect = try Wizard.run(["certs", "inspect", cluster.socketConninfo, "--names", "localhost", "127.0.0.1", "--json"])
            #expect(inspect.stdout.contains("\"verify_full_ready\" : false"), "\(inspect.stdout)") // no ssl_ca_file set yet
            #expect(inspect.stdout.contains("\"code\" : \"no-ca-file\""))

            try cluster.sql("ALTER SYSTEM SET ssl = on")
            try cluster.sql("ALTER SYSTEM SET ssl_ca_file = 'root.crt'")
            try cluster.reload()
            let rootCertificate = cluster.dataDirectory + "/root.crt"
            for host in ["localhost", "127.0.0.1"] {
                try cluster.waitFor("a verify-full connection to \(host)") {
                    let connection = try? Connection.connect(ConnectionTarget(
                        cluster.tcpConninfo(host: host, sslmode: "verify-full") + " sslrootcert=\(rootCertificate)"))
                    defer { connection?.close() }
                    return try connection?.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows.first?.bool("ssl") == true
                }
                let psql = try ProcessRunner.run(cluster.local.binaries.directory + "/psql", [
                    cluster.tcpConninfo(host: host, sslmode: "verify-full") + " sslrootcert=\(rootCertificate)",
                    "-Atc", "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                ])
                if host == "127.0.0.1" && cluster.version.major < 15 {
                    // This build's own psql: libpq 14 and older ignore iPAddress SANs
                    // (docs/POSTGRES.md, "libpq client behaviour").
                    #expect(psql.stderr.contains("does not match host name \"127.0.0.1\""), "psql \(cluster.version) by IP: \(psql.stdout)\(psql.stderr)")
                } else {
                    #expect(psql.stdout.hasPrefix("t|TLSv1."), "psql by \(host): \(psql.stdout)\(psql.stderr)")
                }
            }
            let ready = try Wizard.run(["certs", "inspect", cluster.socketConninfo, "--names", "localhost", "127.0.0.1"])
            #expect(ready.exitCode == 0, "\(ready.stdout)\(ready.stderr)")
        }
    }
}
