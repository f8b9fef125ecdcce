/// What a server's pg_hba.conf refusal says about the connection's encryption
/// (docs/POSTGRES.md, "Refusal messages"). 14-18 end the sentence with "SSL encryption",
/// "GSS encryption" or "no encryption"; 13 with "SSL on" or "SSL off" (a
/// GSS-encrypted session says "SSL off" there). Every check that reads a
/// refusal goes through here, so a version's wording lives in one place.
public enum RefusalWording {
    public enum Encryption: Hashable, Sendable { case ssl, gss, plain }

    /// The encryption a pg_hba.conf refusal names; nil for any other error.
    public static func encryption(of message: String) -> Encryption? {
        guard message.contains("no pg_hba.conf entry for") || message.contains("pg_hba.conf rejects") else { return nil }
        let sentence = message.split(separator: "\n").first { $0.contains("pg_hba.conf") }.map(String.init) ?? message
        let ending = sentence.trimmingCharacters(in: .whitespaces)
        if ending.hasSuffix("SSL encryption") || ending.hasSuffix("SSL on") { return .ssl }
        if ending.hasSuffix("GSS encryption") { return .gss }
        if ending.hasSuffix("no encryption") || ending.hasSuffix("SSL off") { return .plain }
        return nil
    }

    /// Refused by pg_hba.conf after a completed TLS handshake: TLS itself works.
    public static func isRefusalOverSSL(_ message: String) -> Bool { encryption(of: message) == .ssl }

    /// The connection got past pg_hba.conf and failed at authentication (or
    /// its role does not exist): the rules admitted it.
    public static func isAuthenticationFailure(_ message: String) -> Bool {
        authenticationMarkers.contains(where: message.contains)
            || (message.contains("FATAL:  role \"") && message.contains("\" does not exist"))
    }

    /// Then: libpq 16+ with `require_auth=none` met a request to authenticate;
    /// before 16, a GSSAPI request that a probe's unknown service name failed.
    static let authenticationMarkers = ["fe_sendauth: no password supplied", "password authentication failed",
                                        "authentication failed for user", "authentication method requirement \"none\" failed",
                                        "GSSAPI continuation error", "GSSAPI authentication not supported"]

    /// Refused by pg_hba.conf because the connection was not encrypted.
    public static func isPlainTextRefusal(_ message: String) -> Bool { encryption(of: message) == .plain }
}
