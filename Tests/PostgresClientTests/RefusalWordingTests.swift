import PostgresClient
import Testing

/// The refusal sentences of docs/POSTGRES.md, "Refusal messages", per version.
struct RefusalWordingTests {
    @Test func everyVersionsWording() {
        let head = "connection to server at \"10.0.0.5\", port 5432 failed: FATAL:  "
        let cases: [(String, RefusalWording.Encryption?)] = [
            (head + "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"app\", no encryption", RefusalWording.Encryption.plain),
            (head + "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"app\", SSL encryption", .ssl),
            (head + "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"app\", GSS encryption", .gss),
            (head + "pg_hba.conf rejects replication connection for host \"10.0.0.9\", user \"repl\", no encryption\n", RefusalWording.Encryption.plain),
            (head + "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"app\", SSL off", RefusalWording.Encryption.plain),
            (head + "no pg_hba.conf entry for replication connection from host \"10.0.0.9\", user \"repl\", SSL on", .ssl),
            (head + "password authentication failed for user \"app\"", nil),
            ("server does not support SSL, but SSL was required", nil),
        ]
        for (message, expected) in cases {
            #expect(RefusalWording.encryption(of: message) == expected, "\(message)")
        }
        // sslmode=prefer: refused over SSL first, then without; the first attempt names the handshake.
        let prefer = head + "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"app\", SSL encryption\n"
            + head + "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"app\", no encryption"
        #expect(RefusalWording.isRefusalOverSSL(prefer) && !RefusalWording.isPlainTextRefusal(prefer))
    }
}
