import ClusterFacts
import PostgresClient

/// The confirm step's live negative test: a fresh TCP connection with
/// `sslmode=disable` must be refused by pg_hba.conf for having no encryption
/// ("no encryption", or "SSL off" on 13): the rules, not a wrong password,
/// refused it.
public enum PlainTextRefusal {
    public enum Outcome: Hashable, Sendable {
        /// Refused by pg_hba.conf because it had no encryption.
        case refused(String)
        /// Admitted (or refused for another reason): enforcement is not proven.
        case admitted
        case otherFailure(String)
    }

    public static func test(_ target: ConnectionTarget, timeoutSeconds: Int = 5) -> Outcome {
        // No real credential ever travels in clear: pg_hba.conf decides before
        // any authentication, so a throwaway role with nothing of the operator's
        // is refused the same way, while a server that admits plain text only
        // gets a name that means nothing.
        let plain = target.with("sslmode", "disable").with("gssencmode", "disable")
            .withoutCredentials(role: ProbeCredentials.throwawayRole("refusal-probe"))
        do {
            let connection = try Connection.connect(plain, timeoutSeconds: timeoutSeconds)
            connection.close()
            return .admitted
        } catch {
            let message = operatorMessage(for: error)
            if RefusalWording.isPlainTextRefusal(message) { return .refused(message) }
            // The throwaway user got as far as authentication: pg_hba.conf admitted plain text.
            return RefusalWording.isAuthenticationFailure(message) ? .admitted : .otherFailure(message)
        }
    }
}
