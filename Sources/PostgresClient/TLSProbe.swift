import Foundation
import ClusterFacts

/// Proves whether the server really offers TLS with a real handshake, the
/// way a client with `sslmode=require` starts one. `SHOW ssl` is not proof:
/// with broken certificate files it says `on` while every handshake is
/// refused (docs/POSTGRES.md, "SSL initialisation and reload").
public enum TLSProbe {
    public struct Result: Sendable {
        public var availability: TLSAvailability
        /// The certificate the server presented: by the handshake alone, or
        /// by libpq when its connection was admitted.
        public var servedCertificateDER: [UInt8]?
        public var tlsProtocol: String?
        /// The handshake alone took a HelloRetryRequest (`KeyShareGroup`).
        public var helloRetried = false
    }

    /// libpq's text when the server answers an SSLRequest with "N".
    static let refusedMarker = "server does not support SSL"

    /// Probes over TCP. When the operator came over a unix socket, the probe
    /// goes to an address from `listen_addresses` on the server's port.
    ///
    /// What proves TLS is the handshake: a `require` client that completes
    /// one and is then refused a login still found TLS working. So a socket
    /// operator whose TLS settings are libpq's defaults is probed with the
    /// STARTTLS handshake alone: no login, no credentials sent, no session
    /// started. Everyone else is probed by libpq with their own settings: a
    /// TCP operator where their session went (a tunnel or NAT may put the
    /// server elsewhere than the address it reports), with their
    /// verification; a root certificate, a protocol bound or a negotiation
    /// of the operator's applies as it would to their clients
    /// (docs/POSTGRES.md, "SSL initialisation and reload").
    /// `keyShare`: the server's own key-exchange group first, from its settings.
    public static func probe(target: ConnectionTarget, server: ServerFacts, own: OwnSession, keyShare: KeyShareGroup?) -> Result {
        guard startsNoSession(operator: own) else { return probeWithLogin(target: target, server: server, own: own) }
        guard let host = tcpHost(server: server, own: own) else {
            return Result(availability: .notProbed("the server does not listen on TCP"))
        }
        return handshakeAlone(host: host, port: server.port, keyShare: keyShare)
    }

    /// The probe of a socket operator whose TLS settings are libpq's
    /// defaults: the STARTTLS handshake alone, to `host` on `port`.
    public static func handshakeAlone(host: String, port: Int, keyShare: KeyShareGroup?) -> Result {
        switch StartTLSHandshake.handshake(host: host, port: port, timeoutSeconds: 5, keyShare: keyShare) {
        case .success(let served):
            return Result(availability: .offered, servedCertificateDER: served.certificateDER, tlsProtocol: served.protocolVersion,
                          helloRetried: served.helloRetried)
        case .failure(let failure) where failure.serverRefusedTLS:
            return Result(availability: .refused)
        case .failure(let failure):
            return Result(availability: .notProbed("a TLS handshake with \(host) port \(port) failed: \(failure.reason)"))
        }
    }

    /// Whether the probe for this operator is the handshake alone, which
    /// sends no startup packet: the server then lists no session for it on
    /// any version (18 lists a backend from its startup packet), so it may
    /// run while the sessions are read.
    public static func startsNoSession(operator own: OwnSession) -> Bool {
        own.transport == .unixSocket && own.defaultTLSSettings == true
    }

    /// Whether the handshake alone may be the probe, as far as this side can
    /// tell before the server is asked anything: the connection went to a
    /// unix socket and its TLS keywords are libpq's defaults. The files libpq
    /// would read unasked are looked for by `noDefaultFiles`, off the caller's
    /// thread; `startsNoSession` decides once the session is read.
    public static func mayStartNoSession(_ connection: Connection) -> Bool {
        connection.viaUnixSocket && LibpqTLSDefaults.settingsAreDefault(connection.option)
    }

    /// No root or client certificate under a home directory of libpq's (`LibpqTLSDefaults`).
    public static func noDefaultFiles() -> Bool { LibpqTLSDefaults.noDefaultFiles() }

    /// libpq with the operator's settings, verification (`verify-ca`,
    /// `verify-full`) and credentials, over TCP.
    static func probeWithLogin(target: ConnectionTarget, server: ServerFacts, own: OwnSession) -> Result {
        // No GSS encryption: with Kerberos credentials libpq tries it first and, where it is
        // admitted, takes it in place of SSL even with sslmode=require (docs/POSTGRES.md,
        // "libpq client behaviour"): the probe would see no TLS and call it refused.
        var probeTarget = target.with("sslmode", sslMode(operator: own)).with("gssencmode", "disable")
        if own.transport == .unixSocket {
            guard let address = tcpAddress(listenAddresses: server.listenAddresses) else {
                return Result(availability: .notProbed("the server does not listen on TCP"))
            }
            probeTarget = probeTarget.with("host", address).with("hostaddr", address).with("port", String(server.port))
        }
        do {
            let connection = try Connection.connect(probeTarget, timeoutSeconds: 5)
            defer { connection.close() }
            return Result(availability: connection.sslInUse ? .offered : .refused,
                          servedCertificateDER: connection.peerCertificateDER,
                          tlsProtocol: connection.sslAttribute("protocol"))
        } catch {
            if case .connectionFailed(_, let message) = error {
                if message.contains(refusedMarker) { return Result(availability: .refused) }
                // A FATAL from the server that names the encryption in use
                // was raised after the handshake: TLS itself works.
                if RefusalWording.isRefusalOverSSL(message) {
                    return Result(availability: .offered)
                }
                // With sslmode=require libpq authenticates only after a
                // completed handshake: an authentication error proves TLS
                // (the probe over TCP has no password when the operator came
                // over the socket). The served certificate is not kept then.
                if RefusalWording.isAuthenticationFailure(message) {
                    return Result(availability: .offered)
                }
                return Result(availability: .notProbed("a TCP connection with sslmode=require failed: \(message)"))
            }
            return Result(availability: .notProbed(operatorMessage(for: error)))
        }
    }

    /// `require` at least. Over TCP the probe goes where the operator's own
    /// session went, with the operator's credentials: an operator whose
    /// session verified the server (verify-ca, verify-full: from the
    /// keyword, PGSSLMODE or a service file, as libpq used it) keeps that, so
    /// the probe never sends them over a TLS the operator would not trust. A
    /// socket operator's probe goes to a listen address instead, where a
    /// certificate names no such host: `require` there.
    static func sslMode(operator own: OwnSession) -> String {
        guard own.transport == .tcp, ["verify-ca", "verify-full"].contains(own.sslMode) else { return "require" }
        return own.sslMode
    }

    /// Where a TCP connection to this server goes: the address a TCP operator
    /// reached, or a loopback-reachable listen address for a socket operator.
    public static func tcpHost(server: ServerFacts, own: OwnSession) -> String? {
        own.transport == .tcp ? own.serverAddress : tcpAddress(listenAddresses: server.listenAddresses)
    }

    /// A loopback-reachable address the server listens on, if any.
    public static func tcpAddress(listenAddresses: String) -> String? {
        // An empty item is no address: libpq would take an empty host for its unix socket.
        let entries = listenAddresses.split(separator: ",").map { $0.trimmingBlanks }.filter { !$0.isEmpty }
        if entries.isEmpty { return nil }
        if entries.contains(where: { ["*", "0.0.0.0", "localhost", "127.0.0.1"].contains($0) }) { return "127.0.0.1" }
        if entries.contains(where: { $0 == "::" || $0 == "::1" }) { return "::1" }
        return entries.first
    }
}
