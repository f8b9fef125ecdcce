import Executor
import Foundation
import HostIO
import PostgresClient
import Testing
import TestSupport

/// `ssl_ca_file` is the CA the server trusts for client certificates: a
/// run that makes new server certificates leaves it, its file and every
/// certificate-authenticated client alone (issue 21, item 2).
struct ClientCATests {
    @Test func newServerCertificatesLeaveTheClientCAAndItsClientsAlone() async throws {
        try await TestCluster.with { cluster in
            let serverCertificate = try cluster.enableSSL()
            let client = try TestClientCertificate.make(in: cluster.local.root + "/client-ca", role: "certclient")
            // The client CA where DBAs keep it: in the data directory, the server user's.
            let clientCA = cluster.dataDirectory + "/client-ca.crt"
            try FileManager.default.copyItem(atPath: client.caPath, toPath: clientCA)
            chown(clientCA, cluster.local.owner.uid, cluster.local.owner.gid)
            // A client certificate from a CA the server does not trust for clients (the server certificate's CA).
            let foreign = try TestClientCertificate.make(in: cluster.local.root + "/foreign", role: "certclient",
                                                         signedBy: (serverCertificate.caPath, serverCertificate.directory + "/ca.key"))
            try cluster.sql("CREATE ROLE certclient LOGIN")
            try cluster.sql("ALTER SYSTEM SET ssl_ca_file = '\(clientCA)'")
            try cluster.writeHBA("""
                local   all   all                       trust
                hostssl all   certclient  127.0.0.1/32  cert
                host    all   all         127.0.0.1/32  scram-sha-256

                """)
            try cluster.reload()
            let certificateLogin = cluster.tcpConninfo(user: "certclient", sslmode: "require") + " " + client.conninfo
            let before = try Probe.attempts([certificateLogin, cluster.tcpConninfo(user: "certclient", sslmode: "require") + " " + foreign.conninfo])
            #expect(before[0].ok && before[0].ssl, "the certificate-authenticated client gets in before the run: \(before[0])")
            // What a client holding another CA's certificate sees once ssl_ca_file is set: the handshake itself fails.
            #expect(!before[1].ok && before[1].error.map { $0.contains("unknown ca") || $0.contains("certificate verify failed") } == true, "\(before[1])")
            let caBytes = try Data(contentsOf: URL(fileURLWithPath: clientCA))
            let servedBefore = try Self.servedFingerprint(cluster)

            let wizard = try WizardRun()
            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "ca"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let summary = try ApplySummary.decode(apply)
            #expect(summary.outcome.hasPrefix("enforced"), "\(summary.outcome)")

            #expect(try Self.servedFingerprint(cluster) != servedBefore, "the run made and serves a new server certificate")
            #expect(try Data(contentsOf: URL(fileURLWithPath: clientCA)) == caBytes, "the client CA file is byte-identical")
            #expect(try cluster.sql("SHOW ssl_ca_file").rows.first?.string("ssl_ca_file") == clientCA, "ssl_ca_file still names the client CA")
            let after = try Probe.attempts([certificateLogin])
            #expect(after[0].ok && after[0].ssl, "the certificate-authenticated client still gets in: \(after[0])")

            let report = try AuditReportJSON.read(summary.report)
            #expect(report.confirmation?.verify_full?.hasPrefix("verified") == true, "\(String(describing: report.confirmation))")
            let pem = try #require(report.root_certificate_pem, "the report carries the root certificate for clients")
            #expect(pem.contains("BEGIN CERTIFICATE") && Data(pem.utf8) != caBytes)
        }
    }

    /// TCP admits certificates only (`cert` on every TCP line). The confirm
    /// step's verify-full test, the operator's on the socket with no client
    /// certificate, meets "connection requires a valid client certificate":
    /// the server says that after the handshake, once libpq has verified its
    /// certificate and name, so the server is verified.
    @Test func aServerThatAdmitsOnlyCertificatesOverTCPIsStillVerifiedFull() async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            let client = try TestClientCertificate.make(in: cluster.local.root + "/client-ca", role: "postgres")
            let clientCA = cluster.dataDirectory + "/client-ca.crt"
            try FileManager.default.copyItem(atPath: client.caPath, toPath: clientCA)
            chown(clientCA, cluster.local.owner.uid, cluster.local.owner.gid)
            try cluster.sql("ALTER SYSTEM SET ssl_ca_file = '\(clientCA)'")
            try cluster.writeHBA("local   all   all                 trust\nhostssl all   all   127.0.0.1/32  cert\n")
            try cluster.reload()
            let withoutCertificate = try Probe.attempts([cluster.tcpConninfo(user: "postgres", sslmode: "require")])
            #expect(withoutCertificate[0].error?.contains("requires a valid client certificate") == true, "\(withoutCertificate[0])")

            let apply = try WizardRun().run(["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "ca"])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            let summary = try ApplySummary.decode(apply)
            #expect(summary.outcome.hasPrefix("enforced"), "\(summary.outcome)")
            let report = try AuditReportJSON.read(summary.report)
            #expect(report.confirmation?.verify_full?.hasPrefix("verified") == true, "\(String(describing: report.confirmation))")
        }
    }

    enum HomeFile: String, CaseIterable, Sendable { case rootCertificate = "root.crt", clientCertificate = "postgresql.crt" }

    /// An operator on the socket whose home holds libpq TLS files for other
    /// servers: a root certificate that did not sign this server's, or a
    /// client certificate this server's ssl_ca_file does not accept. libpq
    /// reads them on the dead-man check's TCP attempt and its handshake fails;
    /// the operator, on the socket, is untouched by the rewrite, and TLS over
    /// TCP works (the handshake alone proves it). Both were a rollback. The
    /// client certificate then failed the verify-full test too (the server's
    /// alert ends the handshake before libpq checks the name): it is tried
    /// once more offering none.
    @Test(arguments: HomeFile.allCases)
    func aSocketOperatorsOwnTLSFilesAtHomeFailNoCheck(file: HomeFile) async throws {
        try await TestCluster.with { cluster in
            _ = try cluster.enableSSL()
            let home = cluster.local.root + "/operator-home"
            try FileManager.default.createDirectory(atPath: home + "/.postgresql", withIntermediateDirectories: true)
            switch file {
            case .rootCertificate:
                let other = try TestCertificate.make(in: cluster.local.root + "/other-server", owner: cluster.local.owner)
                try FileManager.default.copyItem(atPath: other.caPath, toPath: home + "/.postgresql/root.crt")
            case .clientCertificate:
                let trusted = try TestClientCertificate.make(in: cluster.local.root + "/client-ca", role: "postgres")
                let clientCA = cluster.dataDirectory + "/client-ca.crt"
                try FileManager.default.copyItem(atPath: trusted.caPath, toPath: clientCA)
                chown(clientCA, cluster.local.owner.uid, cluster.local.owner.gid)
                try cluster.sql("ALTER SYSTEM SET ssl_ca_file = '\(clientCA)'")
                let foreign = try TestClientCertificate.make(in: cluster.local.root + "/foreign-ca", role: "postgres")
                try FileManager.default.copyItem(atPath: foreign.certificatePath, toPath: home + "/.postgresql/postgresql.crt")
                try FileManager.default.copyItem(atPath: foreign.keyPath, toPath: home + "/.postgresql/postgresql.key")
                chmod(home + "/.postgresql/postgresql.key", 0o600)
            }
            try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
            try cluster.reload()
            let apply = try WizardRun().run(["apply", cluster.socketConninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "ca"],
                                            environment: ["HOME": home])
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            #expect(try ApplySummary.decode(apply).outcome.hasPrefix("enforced"))
        }
    }

    static func servedFingerprint(_ cluster: TestCluster) throws -> String {
        let output = try ProcessRunner.run("sh", ["-c", "echo | openssl s_client -starttls postgres -connect 127.0.0.1:\(cluster.port) 2>/dev/null | openssl x509 -noout -fingerprint -sha256"])
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
