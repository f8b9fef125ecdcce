import Foundation
import Testing
import TestSupport

/// Secrets in every shape the issue lists go through a whole session of the
/// wizard's commands (status, plan in each form, apply, rollback, the hba
/// commands) and appear in no output, JSON, journal, record or report
/// (docs/SECURITY.md, "Secrets").
struct SecretCorpusTests {
    static let secrets = ["Se cret-One", "cret-One", "Radius-Two", "Radius-Three", "Pass-Four", "Conn Five", "Five"]

    @Test func noSecretReachesAnyOutputOrState() async throws {
        // The distribution's server: the other versions the suite runs on are built without LDAP,
        // and would refuse the ldap line this corpus needs.
        try await TestCluster.with(binaries: try TestServers.binaries(major: TestServers.distributionMajor)) { cluster in
            try cluster.writeHBA("""
                local all all trust
                host all all 127.0.0.1/32 scram-sha-256
                host all all 10.20.0.0/16 ldap ldapserver=ldap.invalid ldapbasedn="dc=example" ldapbinddn="cn=reader" "ldapbindpasswd=Se cret-One"
                host all all 10.21.0.0/16 radius radiusservers="10.9.9.9,10.9.9.10" radiussecrets="Radius-Two,Radius-Three"

                """)
            try cluster.sql("ALTER SYSTEM SET ssl_passphrase_command = 'echo Pass-Four'")
            try cluster.reload()
            let errors = try cluster.sql("SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE error IS NOT NULL").rows.first?.int32("n")
            #expect(errors == 0, "the server loads every shape")
            let conninfo = cluster.socketConninfo + " password='Conn Five'"
            let wizard = try WizardRun()
            var outputs: [String] = []
            for arguments in [["status", conninfo], ["status", conninfo, "--json"],
                              ["plan", conninfo, "--include-loopback", "--create-certificates", "self-signed"],
                              ["plan", conninfo, "--json", "--include-loopback", "--create-certificates", "self-signed"],
                              ["plan", conninfo, "--sql", "--include-loopback", "--create-certificates", "self-signed"],
                              ["apply", conninfo, "--yes", "--json", "--include-loopback", "--create-certificates", "self-signed"],
                              ["rollback", conninfo, "--json"],
                              ["hba", "explain", cluster.hbaFile], ["hba", "lint", cluster.hbaFile], ["hba", "rewrite", cluster.hbaFile]] {
                let output = try wizard.run(arguments)
                outputs.append("$ \(arguments[0]) \(arguments.count) -> \(output.exitCode)\n" + output.stdout + output.stderr)
            }
            #expect(outputs[5].contains("enforced"), "apply went through: \(outputs[5])")
            let everything = outputs.joined(separator: "\n") + wizard.allStateText()
            for secret in Self.secrets {
                #expect(!everything.contains(secret), "\(secret) leaked:\n\(everything.components(separatedBy: "\n").filter { $0.contains(secret) }.prefix(3).joined(separator: "\n"))")
            }
        }
    }
}
