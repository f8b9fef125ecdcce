/// A connection whose point is not a login (the negative test's refusal,
/// the verify-full test's certificate check) goes to an address someone
/// else's listener may hold, and in the negative test without encryption. It
/// carries nothing of the operator's (docs/SECURITY.md, "Credentials go only
/// where the operator's own session went"):
/// - a throwaway role, unique per probe, so no real one is named;
/// - a password set, and no secret: an empty one is no value to libpq, which
///   then takes PGPASSWORD or a service file's (a `service` in the
///   connection string or PGSERVICE);
/// - no password file and no client certificate (`sslcert` under /dev/null,
///   which libpq reads as "none");
/// - on libpq 16+, `require_auth=none`: libpq stops at the server's first
///   request to authenticate, so even that password is never sent, and the
///   server logs no failed login (a client leaving during authentication
///   leaves no FATAL). Before 16, a server that asks gets the password above;
/// - a Kerberos service name no KDC knows: before 16, a peer that asks for
///   GSSAPI would otherwise get a token made with root's ticket for
///   `postgres@<host>`, the real server's principal, which it could pass on to
///   the real server (PostgreSQL's GSSAPI has no channel binding). libpq fails
///   to get a ticket and sends nothing (only where libpq knows the keyword:
///   one built without GSSAPI refuses it);
/// - `channel_binding=disable`, so an operator's `require` (in the string or
///   PGCHANNELBINDING) does not turn a server that admits the probe into an
///   unexplained failure.
extension ConnectionTarget {
    public func withoutCredentials(role: String) -> ConnectionTarget {
        var probe = with("user", role).with("password", ProbeCredentials.password).with("passfile", "/dev/null")
            .with("sslcert", ProbeCredentials.noClientCertificate).with("sslkey", ProbeCredentials.noClientCertificate)
            .with("channel_binding", "disable")
        if Connection.libraryVersion >= 160000 { probe = probe.with("require_auth", "none") }
        if ProbeCredentials.libpqKnowsKerberos { probe = probe.with("krbsrvname", ProbeCredentials.noKerberosService) }
        return probe
    }
}

public enum ProbeCredentials {
    /// Unique per probe, so it can never be a real role.
    public static func throwawayRole(_ purpose: String) -> String {
        "pgsw-\(purpose)-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Sent, before libpq 16, to a server that asks a throwaway role for one.
    public static let password = "pg-ssl-wizard-sends-no-password"

    /// A Kerberos service no KDC has: no ticket, so no GSSAPI token is made.
    public static let noKerberosService = "pg-ssl-wizard-no-such-service"

    /// Whether this libpq takes `krbsrvname` (it is built with GSSAPI).
    static let libpqKnowsKerberos: Bool = (try? ConnectionTarget.parse("krbsrvname=x")) != nil

    /// An `sslcert` that names no file, ever: libpq then offers no client certificate.
    public static let noClientCertificate = "/dev/null/no-client-certificate"
}
