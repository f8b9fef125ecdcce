import Foundation
import ClusterFacts
@testable import PostgresClient
import Testing

/// The TLS probe carries the operator's credentials. Over TCP it goes where
/// the operator's session went, so an operator whose session verified the
/// server keeps verifying it, whether verify-full came from the keyword,
/// PGSSLMODE or a service file (the mode libpq used is what counts);
/// `sslmode=require` was forced on every probe before (found by a review).
/// A socket operator's probe goes to a listen address, which no certificate
/// names: `require` there.
struct TLSProbeModeTests {
    static func own(_ transport: Transport, sslMode: String) -> OwnSession {
        OwnSession(pid: 1, user: "a", database: "a", transport: transport, host: transport == .tcp ? "db.example" : "/run/postgresql",
                   port: "5432", serverAddress: transport == .tcp ? "10.0.0.5" : nil, clientAddress: nil, ssl: transport == .tcp,
                   tlsProtocol: nil, cipher: nil, keyBits: nil, gssEncrypted: false, sslMode: sslMode)
    }

    /// A socket operator's handshake goes to a listen address the server
    /// reports; the blanks around each item are the server's to skip.
    @Test(arguments: [
        ("*", "127.0.0.1"), (" localhost , 10.0.0.5", "127.0.0.1"), ("10.0.0.5,\t::1 ", "::1"),
        ("\t10.0.0.5 ", "10.0.0.5"), ("10.0.0.5\n", "10.0.0.5"), ("", nil), (" ", nil),
        // An empty item is none (libpq would take an empty host for its socket).
        (" ,10.0.0.5", "10.0.0.5"), (",", nil),
        // A no-break space is no blank to the server: the item is not an address it could bind.
        ("\u{00A0}10.0.0.5", "\u{00A0}10.0.0.5"),
    ] as [(String, String?)])
    func theHandshakeGoesToAListenAddress(listenAddresses: String, expected: String?) {
        #expect(TLSProbe.tcpAddress(listenAddresses: listenAddresses) == expected)
    }

    @Test(arguments: [
        (Transport.tcp, "verify-full", "verify-full"),
        (.tcp, "verify-ca", "verify-ca"),
        (.tcp, "require", "require"),
        (.tcp, "prefer", "require"),
        (.tcp, "disable", "require"),
        (.unixSocket, "verify-full", "require"),
    ])
    func theProbeKeepsTheOperatorsVerification(transport: Transport, used: String, expected: String) {
        #expect(TLSProbe.sslMode(operator: Self.own(transport, sslMode: used)) == expected)
    }

    /// The handshake alone only for a socket operator whose libpq TLS
    /// settings are the defaults; a TCP operator is probed where their
    /// session went, by libpq (found by a review: a tunnel's far end is not
    /// the address the server reports).
    @Test(arguments: [
        (Transport.unixSocket, true as Bool?, true),
        (.unixSocket, false, false),
        (.unixSocket, nil, false),
        (.tcp, true, false),
        (.tcp, false, false),
    ])
    func theHandshakeAloneIsForASocketOperatorWithLibpqsDefaults(transport: Transport, defaults: Bool?, alone: Bool) {
        var own = Self.own(transport, sslMode: "prefer")
        own.defaultTLSSettings = defaults
        #expect(TLSProbe.startsNoSession(operator: own) == alone)
    }

    @Test(arguments: [
        ([:], true),
        (["ssl_min_protocol_version": "TLSv1.2", "sslnegotiation": "postgres", "sslcertmode": "allow", "sslrootcert": ""], true),
        (["sslrootcert": "/etc/ssl/ca.crt"], false),
        (["sslrootcert": "system"], false),
        (["sslcrl": "/etc/ssl/crl.pem"], false),
        (["ssl_min_protocol_version": "TLSv1.3"], false),
        (["ssl_max_protocol_version": "TLSv1.2"], false),
        (["sslnegotiation": "direct"], false),
        (["sslcertmode": "require"], false),
        (["sslcert": "/root/client.crt"], false),
        (["sslkey": "/root/client.key"], false),
    ] as [([String: String], Bool)])
    func libpqsDefaultsAreTheKeywordsLeftAlone(options: [String: String], defaults: Bool) {
        #expect(LibpqTLSDefaults.settingsAreDefault { options[$0] } == defaults)
    }

    /// The files libpq reads unasked, in a home directory of the test's own.
    @Test(arguments: [([String](), false), (["root.crt"], true), (["postgresql.crt"], true), (["postgresql.key"], false)])
    func aRootOrClientCertificateAtHomeIsNoDefault(files: [String], found: Bool) throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home + "/.postgresql", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        for file in files { FileManager.default.createFile(atPath: home + "/.postgresql/" + file, contents: Data("x".utf8)) }
        #expect(LibpqTLSDefaults.defaultFileExists(in: [home]) == found)
    }
}
