import ClusterFacts
import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// `status` judges the certificate a real handshake was served: a warning
/// within --cert-warn-days, critical within --cert-crit-days, in the text,
/// the JSON and the exit code (issue 22, item 4).
struct StatusCertificateExpiryTests {
    struct Document: Decodable {
        struct Expiry: Decodable { var level: String; var days_left: Int; var subject: String }
        var verdict: String
        var exit_code: Int32
        var certificate_expiry: Expiry?
    }

    @Test func theServedCertificatesExpiryJoinsTheVerdict() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
            for (days, level, code) in [(60, "ok", Int32(0)), (20, "warning", 1), (3, "critical", 2)] {
                let certificate = try TestCertificate.make(in: cluster.local.root + "/tls-\(days)", owner: cluster.local.owner, days: days)
                try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(certificate.certificatePath)'")
                try cluster.sql("ALTER SYSTEM SET ssl_key_file = '\(certificate.keyPath)'")
                try cluster.sql("ALTER SYSTEM SET ssl = on")
                try cluster.reload()
                try cluster.waitFor("the \(days)-day certificate to be served") {
                    let served = try ProcessRunner.run("sh", ["-c", "echo | openssl s_client -starttls postgres -connect 127.0.0.1:\(cluster.port) 2>/dev/null | openssl x509 -noout -enddate"])
                    let expected = try ProcessRunner.run("openssl", ["x509", "-noout", "-enddate", "-in", certificate.certificatePath])
                    return served.stdout == expected.stdout
                }
                let json = try Wizard.run(["status", cluster.socketConninfo, "--json"])
                let document = try JSONDecoder().decode(Document.self, from: Data(json.stdout.utf8))
                let expiry = try #require(document.certificate_expiry, "\(json.stdout)")
                #expect(expiry.level == level && (days - 1...days).contains(expiry.days_left), "\(days) days: \(expiry)")
                #expect(json.exitCode == max(document.exit_code, code), "\(days) days: exit \(json.exitCode), verdict \(document.verdict)")
                let text = try Wizard.run(["status", cluster.socketConninfo])
                #expect(text.exitCode == json.exitCode)
                // The exit code is the whole answer: nothing on stderr (PgSSLWizard.main, 0, 1 and 2).
                #expect(json.stderr.isEmpty && text.stderr.isEmpty, "exit \(json.exitCode): \(json.stderr)\(text.stderr)")
                #expect(text.stdout.contains("served certificate CN=localhost: expires"), "\(text.stdout)")
                if level != "ok" { #expect(text.stdout.contains(level.uppercased()), "\(text.stdout)") }
            }
            let custom = try Wizard.run(["status", cluster.socketConninfo, "--json", "--cert-warn-days", "2", "--cert-crit-days", "1"])
            #expect(try JSONDecoder().decode(Document.self, from: Data(custom.stdout.utf8)).certificate_expiry?.level == "ok", "thresholds are the operator's")
            let bad = try Wizard.run(["status", cluster.socketConninfo, "--cert-warn-days", "3", "--cert-crit-days", "7"])
            #expect(bad.exitCode == 64 && bad.stderr.contains("crit <= warn"))
        }
    }
}
