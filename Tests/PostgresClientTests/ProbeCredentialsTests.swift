import PostgresClient
import Testing

/// What a probe to an address someone else may hold carries of the
/// operator's connection: nothing that authenticates. On the values libpq is
/// given; `VerifyFullPeerTests` and `DeadManPeerTests` show a peer hearing it.
struct ProbeCredentialsTests {
    @Test func aProbeCarriesNothingThatAuthenticates() throws {
        let operatorWay = try ConnectionTarget("host=db.example user=alice password=operator-secret sslcert=/home/alice/.postgresql/alice.crt "
                                               + "sslkey=/home/alice/.postgresql/alice.key channel_binding=require krbsrvname=postgres")
        let probe = operatorWay.withoutCredentials(role: "pgsw-test-probe")
        let keywords = probe.explicitKeywords
        #expect(keywords["user"] == "pgsw-test-probe")
        #expect(keywords["passfile"] == "/dev/null")
        #expect(keywords["sslcert"] == ProbeCredentials.noClientCertificate && keywords["sslkey"] == ProbeCredentials.noClientCertificate)
        #expect(keywords["channel_binding"] == "disable", "an operator's require would fail an admitting server for another reason")
        // libpq 13-15 would answer a GSSAPI request with a token for the real server's principal, made with root's ticket.
        #expect(keywords["krbsrvname"] == ProbeCredentials.noKerberosService)
        #expect(!probe.redactedDescription.contains("operator-secret"))
        if Connection.libraryVersion >= 160000 { #expect(keywords["require_auth"] == "none") }
    }
}
