import ClusterFacts
import Foundation
import Testing

/// The verdict is computed from values only; these tests build snapshots by hand.
struct StatusAssessmentTests {
    static func session(_ pid: Int32, port: Int?, ssl: Bool?, type: String = "client backend",
                        address: String? = "10.0.0.5", gss: Bool = false, tls: String? = nil) -> Session {
        Session(pid: pid, backendType: type, user: "app", database: "db", applicationName: "a",
                clientAddress: port == -1 ? nil : address, clientPort: port, ssl: ssl, tlsVersion: tls, gssEncrypted: gss)
    }

    static func snapshot(ssl: String, sessions: [Session], rules: [HBAFileRule]? = nil, ownPid: Int32 = 1,
                         confLoadTime: Date? = nil) -> ClusterSnapshot {
        ClusterSnapshot(
            takenAt: Date(timeIntervalSince1970: 0),
            server: ServerFacts(version: ServerVersion(major: 15, minor: 18), versionString: "PostgreSQL 15.18",
                                systemIdentifier: "1", dataDirectory: "/d", configFile: "/d/postgresql.conf",
                                hbaFile: "/d/pg_hba.conf", identFile: "/d/pg_ident.conf", listenAddresses: "*", port: 5432,
                                confLoadTime: confLoadTime, postmasterStartTime: nil, inRecovery: false),
            privileges: Privileges(role: "postgres", isSuperuser: true, readAllStats: true, readAllSettings: true, signalBackend: true),
            own: OwnSession(pid: ownPid, user: "postgres", database: "postgres", transport: .unixSocket, host: "/tmp",
                            port: "5432", serverAddress: nil, clientAddress: nil, ssl: false, tlsProtocol: nil,
                            cipher: nil, keyBits: nil, gssEncrypted: false, sslMode: "prefer"),
            settings: [Setting(name: "ssl", value: ssl, context: "sighup", source: "default")],
            fileSettings: [], hbaRules: rules, sessions: sessions,
            fileAccess: FileAccess(hbaReadable: true, sameHostVerified: true, problem: nil))
    }

    @Test func sslOffIsCriticalWhateverTheSessions() {
        let assessment = StatusAssessment(snapshot: Self.snapshot(ssl: "off", sessions: []), tls: .notProbed("ssl is off"))
        #expect(assessment.verdict == .sslOff)
        #expect(assessment.verdict.exitCode == 2)
    }

    @Test func sslOnButTLSRefusedIsCritical() {
        let assessment = StatusAssessment(snapshot: Self.snapshot(ssl: "on", sessions: []), tls: .refused)
        #expect(assessment.verdict == .sslOff)
        #expect(assessment.reasons.first?.contains("refuses TLS") == true)
    }

    @Test func countsAreDisjointAndExcludeTheObserver() {
        let sessions = [
            Self.session(1, port: -1, ssl: false),                       // the observer itself
            Self.session(2, port: 5000, ssl: false),
            Self.session(3, port: 5001, ssl: false, address: "127.0.0.1"),
            Self.session(4, port: 5002, ssl: true, tls: "TLSv1.3"),
            Self.session(5, port: -1, ssl: false),
            Self.session(6, port: 5003, ssl: false, gss: true),
            Self.session(7, port: 5004, ssl: false, type: "walsender"),
            Self.session(8, port: 5005, ssl: true, type: "walsender", tls: "TLSv1.2"),
            Self.session(9, port: nil, ssl: nil, type: "checkpointer"),
            Self.session(10, port: 5006, ssl: nil),
        ]
        let assessment = StatusAssessment(snapshot: Self.snapshot(ssl: "on", sessions: sessions), tls: .offered)
        var expected = SessionCounts()
        expected.ssl = 1
        expected.nonSSLTCP = 2
        expected.nonSSLTCPLoopback = 1
        expected.gssEncrypted = 1
        expected.unixSocket = 1
        expected.unknown = 1
        expected.walsenders = 2
        expected.walsendersSSL = 1
        expected.walsendersNonSSL = 1
        #expect(assessment.counts == expected)
        #expect(assessment.tlsVersions == ["TLSv1.3": 1, "TLSv1.2": 1])
        #expect(assessment.verdict == .notEnforced)
        #expect(assessment.reasons == ["2 TCP sessions are not encrypted", "1 replication connection is not encrypted"])
    }

    @Test func plainWalsenderAloneIsNotEnforced() {
        let sessions = [Self.session(7, port: 5004, ssl: false, type: "walsender")]
        let assessment = StatusAssessment(snapshot: Self.snapshot(ssl: "on", sessions: sessions), tls: .offered)
        #expect(assessment.verdict == .notEnforced)
    }

    /// 18 lists a connection before it is admitted, `ssl` false even over TLS. Counted, a client retrying with
    /// sslmode=disable against hostssl rules, or anyone holding a login open, would turn the verdict to "not enforced".
    @Test func aConnectionStillAuthenticatingIsNotASession() {
        let loaded = Date(timeIntervalSince1970: 1_000)
        let attempt = Session(pid: 9, backendType: "client backend", user: nil, database: nil, applicationName: "",
                              clientAddress: "10.0.0.9", clientPort: 41000, ssl: false, backendStart: loaded, state: "starting")
        let walsender = Session(pid: 10, backendType: "walsender", user: nil, database: nil, applicationName: "", clientAddress: "10.0.0.9",
                                clientPort: 41001, ssl: false, backendStart: loaded.addingTimeInterval(-0.001), state: "starting")
        let now = StatusAssessment(snapshot: Self.snapshot(ssl: "on", sessions: [attempt, walsender], confLoadTime: loaded), tls: .offered)
        #expect(now.verdict == .enforced && now.counts == SessionCounts(), "\(now.reasons)")
        #expect(now.notes.contains { $0 == "2 TCP login(s) in progress (no user or encryption shown yet), not counted; 1 began before the last reload, under the rules in force before it" })

        var admitted = attempt
        (admitted.state, admitted.user) = ("idle", "app")
        #expect(StatusAssessment(snapshot: Self.snapshot(ssl: "on", sessions: [admitted], confLoadTime: loaded), tls: .offered).verdict == .notEnforced)
    }

    @Test func gssEncryptedAndSocketSessionsDoNotBreakEnforcement() {
        let sessions = [Self.session(2, port: -1, ssl: false), Self.session(3, port: 5000, ssl: false, gss: true),
                        Self.session(4, port: 5001, ssl: true, tls: "TLSv1.3")]
        let assessment = StatusAssessment(snapshot: Self.snapshot(ssl: "on", sessions: sessions), tls: .offered)
        #expect(assessment.verdict == .enforced)
        #expect(assessment.verdict.exitCode == 0)
    }

    @Test func plainTextHBARulesAreNotedButDoNotChangeTheVerdict() {
        let rules = [
            HBAFileRule(lineNumber: 3, type: "host", database: ["all"], userName: ["all"], address: "127.0.0.1",
                        netmask: "255.255.255.255", authMethod: "scram-sha-256", options: nil, error: nil),
            HBAFileRule(lineNumber: 4, type: "host", database: ["all"], userName: ["all"], address: "10.0.0.0",
                        netmask: "255.0.0.0", authMethod: "scram-sha-256", options: nil, error: nil),
            HBAFileRule(lineNumber: 5, type: "hostnossl", database: ["all"], userName: ["all"], address: "0.0.0.0",
                        netmask: "0.0.0.0", authMethod: "reject", options: nil, error: nil),
        ]
        let assessment = StatusAssessment(snapshot: Self.snapshot(ssl: "on", sessions: [], rules: rules), tls: .offered)
        #expect(assessment.verdict == .enforced)
        #expect(assessment.notes.contains { $0.contains("plain-text TCP clients (line 4)") })
    }

    @Test func silentFailureRowsBlockReloadButTheSSLWarningDoesNot() {
        let silent = HBAFileRule(lineNumber: 7, type: nil, database: nil, userName: nil, address: nil, netmask: nil,
                                 authMethod: nil, options: nil, error: nil)
        let warning = HBAFileRule(lineNumber: 8, type: "hostssl", database: ["all"], userName: ["all"], address: "all",
                                  netmask: nil, authMethod: "md5", options: nil, error: HBAFileRule.sslDisabledWarning)
        #expect(silent.isSilentFailure && silent.blocksReload)
        #expect(!warning.blocksReload)
    }
}

/// Times to the millisecond, and records of whole seconds still read.
struct JSONTimeTests {
    @Test func millisecondsRoundTripAndOldTimesRead() throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000.125)
        let text = JSONTime.text(date)
        #expect(text == "2027-01-15T08:00:00.125Z")
        #expect(abs((JSONTime.date(text)?.timeIntervalSince1970 ?? 0) - 1_800_000_000.125) < 0.0005)
        #expect(JSONTime.date("2027-01-15T08:00:00Z")?.timeIntervalSince1970 == 1_800_000_000)
        #expect(JSONTime.date("yesterday") == nil)
    }
}

/// The expiry levels on values: the boundaries and an expired certificate.
struct CertificateExpiryTests {
    @Test func levelsFollowTheThresholds() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func level(_ days: Double) -> CertificateExpiry.Level {
            CertificateExpiry(subject: "CN=db", notAfter: now.addingTimeInterval(days * 86_400), now: now, warnDays: 30, criticalDays: 7).level
        }
        #expect(level(31) == .ok && level(29.9) == .warning && level(7.1) == .warning && level(6.9) == .critical && level(-1) == .critical)
        let expired = CertificateExpiry(subject: "CN=db", notAfter: now.addingTimeInterval(-86_400), now: now, warnDays: 30, criticalDays: 7)
        #expect(expired.daysLeft == -1 && expired.text.contains("expired on 2027-01-14") && expired.level.exitCode == 2)
    }
}
