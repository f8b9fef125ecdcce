import Certificates
import ClusterFacts
import Enforcement
import HostIO
import PostgresClient

/// The snapshot and the TLS the server really serves, read side by side.
/// The probe runs on a connection of its own while the snapshot is read on
/// the operator's, and while a plan reads what else it needs: the caller
/// waits for the slower of the two, not for both. The handshake alone starts
/// no session: it begins before the snapshot's first reads, on four settings
/// read first (`HandshakeAhead`). A probe that logs in (`TLSProbe`) begins
/// after the sessions are read, so that its own connection is never taken
/// for a client. An operator whose own session is TLS over TCP, to the
/// server itself, needs neither (`ownTLS`).
public enum SnapshotWithTLS {
    public struct Reading: Sendable {
        public var snapshot: ClusterSnapshot
        public var tls: TLSAvailability
        /// The certificate a completed handshake was served (DER), when one completed.
        public var servedCertificateDER: [UInt8]?
        /// The same, parsed when asked for: on another core while the server
        /// answers the reads where it is the operator's own session's.
        public var servedCertificate: CertificateSummary?

        public var observation: TLSObservation {
            TLSObservation(availability: tls, servedFingerprint: servedCertificateDER.map(Fingerprint.sha256))
        }
    }

    /// `check` sees the role's privileges before any probe that logs in
    /// starts, and before anything is read beyond the first rows (`status`
    /// refuses a role that cannot see other sessions there). The handshake
    /// alone, which sends nothing of the operator's, may already be under way
    /// (`HandshakeAhead`).
    /// `parsingCertificate`: the served certificate is wanted parsed
    /// (`Reading.servedCertificate`; `status` reports its expiry), which costs
    /// a plan that compares fingerprints only about 2 ms of CPU.
    public static func read(_ target: ConnectionTarget, connection: Connection, parsingCertificate: Bool = false,
                            check: (Privileges) throws -> Void = { _ in }) throws -> Reading {
        let inspector = ServerInspector(connection: connection)
        let ahead = HandshakeAhead.begin(connection, inspector: inspector, parsingCertificate: parsingCertificate)
        // Every way out waits for it, kept or not: no thread outlives the read (its own deadline
        // bounds the wait). One that is not kept is waited for last, after the reads: a peer
        // slow to finish it delays nothing else.
        defer { ahead?.drop() }
        let opening = try inspector.open()
        try check(opening.privileges)
        guard opening.settings.sslOn else {
            return Reading(snapshot: try inspector.finish(beginningFrom: opening), tls: .notProbed("ssl is off"),
                           servedCertificateDER: nil, servedCertificate: nil)
        }
        let keyShare = KeyShareGroup(serverGroups: opening.settings.keyExchangeGroups?.value)
        let observeNow: @Sendable () -> Observed = {
            let (tls, der) = observe(target, server: opening.server, own: opening.own, keyShare: keyShare)
            return Observed(tls: tls, der: der, parsed: summary(der, wanted: parsingCertificate))
        }
        if opening.own.transport == .tcp && connection.sslInUse {
            // Parsed while the server answers the reads; kept only if the session turns out to be the probe.
            let ownDER = connection.peerCertificateDER
            let parsing = parsingCertificate ? Concurrent.start { summary(ownDER, wanted: true) } : nil
            let snapshot: ClusterSnapshot
            do { snapshot = try inspector.finish(beginningFrom: opening) } catch { _ = parsing?.value(); throw error }
            let parsed = parsing?.value() ?? nil
            if let served = ownTLS(connection, snapshot: snapshot) {
                return Reading(snapshot: snapshot, tls: .offered, servedCertificateDER: served,
                               servedCertificate: served == ownDER ? parsed : summary(served, wanted: parsingCertificate))
            }
            // TLS ends before the server (a relay in front of it): the probe, which logs in, after the sessions.
            let observed = observeNow()
            return Reading(snapshot: snapshot, tls: observed.tls, servedCertificateDER: observed.der, servedCertificate: observed.parsed)
        }
        // The certificate is parsed on the handshake's thread as soon as it is served: whichever
        // of the two threads ends later, nothing waits for the parse after both have.
        let start = { Concurrent<Observed?>.start(observeNow) }
        var early: Concurrent<Observed?>?
        if TLSProbe.startsNoSession(operator: opening.own) {
            // The handshake begun ahead, when it is the one these reads call for; else a new one.
            early = ahead?.kept(ifFor: TLSProbe.tcpHost(server: opening.server, own: opening.own), port: opening.server.port,
                                keyShare: keyShare) ?? start()
        }
        let handshake: Concurrent<Observed?>
        let snapshot: ClusterSnapshot
        if let early {
            // Nothing starts between the sessions and the rest: one round trip for both.
            handshake = early
            do { snapshot = try inspector.finish(beginningFrom: opening) } catch { _ = early.value(); throw error }
        } else {
            // A probe that logs in starts once the sessions are read, before the rest.
            let beginning = try inspector.begin(opening)
            handshake = start()
            do { snapshot = try inspector.finish(beginning) } catch { _ = handshake.value(); throw error }
        }
        // Begun ahead but not run after all (libpq's files appeared between two looks): run now.
        let observed = handshake.value() ?? observeNow()
        return Reading(snapshot: snapshot, tls: observed.tls, servedCertificateDER: observed.der, servedCertificate: observed.parsed)
    }

    /// What a probe found: its verdict, the certificate served (DER) and, when wanted, parsed.
    struct Observed: Sendable {
        var tls: TLSAvailability
        var der: [UInt8]?
        var parsed: CertificateSummary?
    }

    static func summary(_ der: [UInt8]?, wanted: Bool) -> CertificateSummary? {
        wanted ? der.flatMap(CertificateSummary.served(der:)) : nil
    }

    /// The certificate of the operator's own session, when it came over TCP
    /// with TLS that the server itself speaks: that session is the probe
    /// `TLSProbe` would open, made by libpq where the session went, with the
    /// operator's settings and verification, so no second one is
    /// (docs/POSTGRES.md, "SSL initialisation and reload"). The server's own
    /// row in `pg_stat_ssl` must say TLS too, or the TLS ended before it (a
    /// relay that speaks the protocol in plain text behind it) and proves
    /// nothing of the server's. Over GSS encryption, plain text or the
    /// socket: nil, and the probe runs.
    static func ownTLS(_ connection: Connection, snapshot: ClusterSnapshot) -> [UInt8]? {
        guard snapshot.own.transport == .tcp, connection.sslInUse,
              snapshot.sessions.first(where: { $0.pid == snapshot.own.pid })?.ssl == true else { return nil }
        return connection.peerCertificateDER
    }

    /// `TLSProbe`: the STARTTLS handshake alone, or libpq with the
    /// operator's verification. When libpq's handshake worked but it could
    /// not log in, the STARTTLS handshake, which needs no login, shows the
    /// certificate.
    static func observe(_ target: ConnectionTarget, server: ServerFacts, own: OwnSession,
                        keyShare: KeyShareGroup?) -> (TLSAvailability, [UInt8]?) {
        let probe = TLSProbe.probe(target: target, server: server, own: own, keyShare: keyShare)
        if let der = probe.servedCertificateDER { return (probe.availability, der) }
        guard probe.availability == .offered,
              let host = TLSProbe.tcpHost(server: server, own: own)
        else { return (probe.availability, nil) }
        return (probe.availability, ServedCertificate.derWithoutLogin(host: host, port: server.port, keyShare: keyShare))
    }
}
