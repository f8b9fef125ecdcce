import ClusterFacts
import Executor
import Foundation
import HBA
import PlanningInputs
import PostgresClient
import Sandbox
import Testing
import TestSupport

/// `hba match` against the real server's choice: for generated files and
/// connection attempts from the unix socket, loopback and client namespaces
/// (each with and without SSL, with and without a client certificate, some
/// as walsenders), the line the matcher picks must be the line the server
/// logs (or both reject), and every attempt with the right credentials that
/// the matcher admits must log in for real.
@Suite(.serialized) struct MatchDifferentialTests {
    static let files = Int(ProcessInfo.processInfo.environment["PGSW_MATCH_FILES"] ?? "") ?? 60
    static let attemptsPerSource = Int(ProcessInfo.processInfo.environment["PGSW_MATCH_ATTEMPTS"] ?? "") ?? 18

    /// Where an attempt comes from and the address it dials.
    struct Source {
        var namespace: String?      // nil: this process's namespace (the unix socket)
        var host: String            // socket directory or server address
        var client: ConnectionAttempt.Transport
    }

    enum ServerChoice: Equatable, CustomStringConvertible {
        case line(Int)
        case explicitReject
        case implicitReject
        /// A line that wants a client certificate, and none was presented.
        case certificateRequired
        /// A real login.
        case admitted
        var description: String {
            switch self {
            case .line(let n): return "line \(n)"
            case .explicitReject: return "reject line"
            case .implicitReject: return "implicit reject"
            case .certificateRequired: return "client certificate required"
            case .admitted: return "logged in"
            }
        }
    }

    @Test func matcherAgreesWithTheServerOnEveryAttempt() async throws {
        let lab = try NetworkLab.create(clients: 3)
        defer { lab.destroy() }
        try await TestCluster.with(lab: lab) { cluster in
            _ = try cluster.enableSSL()
            try cluster.sql("ALTER SYSTEM SET log_min_messages = 'warning'")
            for statement in [
                "CREATE ROLE pgsw_control LOGIN SUPERUSER",
                "CREATE ROLE u1 LOGIN PASSWORD 'pw-u1'", "CREATE ROLE u2 LOGIN PASSWORD 'pw-u2'", "CREATE ROLE u3 LOGIN PASSWORD 'pw-u3'",
                "CREATE ROLE g1 NOLOGIN", "GRANT g1 TO u1", "GRANT g1 TO u2", "GRANT u2 TO u3",
                "CREATE DATABASE d1", "CREATE DATABASE d2", "CREATE DATABASE g1", "CREATE DATABASE u1",
            ] { try cluster.sql(statement) }
            try LocalCluster.writeOwned(cluster.dataDirectory + "/users.txt", "u2 u3\n", owner: cluster.local.owner, mode: 0o600)
            // Client certificates (CN = role) from a client CA the server trusts (ssl_ca_file).
            let certificates = try Self.clientCertificates(cluster)
            try cluster.sql("ALTER SYSTEM SET ssl_ca_file = '\(certificates.ca)'")
            try cluster.sql("ALTER ROLE postgres PASSWORD 'pw-postgres'")
            try LocalCluster.writeOwned(cluster.dataDirectory + "/dbs.txt", "d1, d2\n", owner: cluster.local.owner, mode: 0o600)

            let environment = MatchEnvironment.with(
                memberships: ["g1": ["u1", "u2"], "u2": ["u3"]], knownRoles: ["postgres", "u1", "u2", "u3", "g1"],
                interfaces: try lab.serverInterfaces())
            let context = parseContext(for: cluster, sslEnabled: true, interfaceNames: try lab.interfaceNames())
            var sources = [
                Source(namespace: nil, host: cluster.local.socketDirectory, client: .unixSocket),
                Source(namespace: lab.serverNamespace, host: "127.0.0.1", client: .tcp(.loopbackV4)),
                Source(namespace: lab.serverNamespace, host: "::1", client: .tcp(.loopbackV6)),
            ]
            for client in lab.clients {
                sources.append(Source(namespace: client.namespace, host: client.serverV4, client: .tcp(IPAddress(numeric: client.addressV4)!)))
                sources.append(Source(namespace: client.namespace, host: client.serverV6, client: .tcp(IPAddress(numeric: client.addressV6)!)))
            }
            let subnets = lab.clients.flatMap { ["\($0.addressV4)/32", "\($0.serverV4)/24", "\($0.addressV6)/128"] }

            var pairs = 0
            var admitted = 0
            var certificateRefusals = 0
            var matchedLines = Set<Int>()
            var failures: [String] = []
            for index in 0..<Self.files {
                let seed = UInt64(cluster.version.major * 1_000_000 + 900_000 + index)
                var generator = MatchFileGenerator(seed: seed, version: cluster.version.major, clientSubnets: subnets)
                let text = generator.file()
                let document = HBADocument(path: cluster.hbaFile, text: text, context: context, files: DiskFileSource())
                try #require(document.isLoadable, "seed \(seed) generated an unloadable file: \(document.loadProblem ?? "")")
                try cluster.writeHBA(text)
                try Self.reloadAndWait(cluster)
                let matcher = Matcher(document: document, environment: environment)

                // Attempts grouped by namespace, one probe process per group.
                var random = SeededRandom(seed: seed)
                var byNamespace: [String?: [(ConnectionAttempt, String)]] = [:]
                for source in sources {
                    for _ in 0..<Self.attemptsPerSource / (source.client == .unixSocket ? 1 : 2) + (source.client == .unixSocket ? 0 : 1) {
                        let (attempt, conninfo) = Self.randomAttempt(&random, source: source, port: cluster.port, certificates: certificates.byRole)
                        byNamespace[source.namespace, default: []].append((attempt, conninfo))
                    }
                }
                for (namespace, batch) in byNamespace.sorted(by: { ($0.key ?? "") < ($1.key ?? "") }) {
                    let offset = Self.logSize(cluster)
                    let outcomes = try Probe.attempts(batch.map(\.1), in: namespace)
                    // The log shows the refused attempts only, in order; a real login is its own evidence.
                    var refusedChoices = try Self.serverChoices(cluster, since: offset, expected: outcomes.filter { !$0.ok }.count).makeIterator()
                    for ((attempt, conninfo), outcome) in zip(batch, outcomes) {
                        pairs += 1
                        let choice = outcome.ok ? ServerChoice.admitted : refusedChoices.next() ?? .line(-2)
                        let predicted = matcher.match(attempt)
                        let ours: ServerChoice
                        switch predicted.outcome {
                        case .depends: ours = .line(-1)
                        case .certificateRequired: ours = .certificateRequired
                        case .accepted:
                            // The method decides: cert accepts the presented certificate, password the right password.
                            let rule = predicted.decidingRule!
                            let credentials = rule.method == .cert ? attempt.clientCertificate : conninfo.contains("password=pw-\(attempt.user) ")
                            ours = credentials && attempt.user != "ghost" ? .admitted : .line(predicted.lineNumber!)
                            if ours == .admitted { admitted += 1 }
                        case .rejected: ours = predicted.lineNumber == nil ? .implicitReject : .explicitReject
                        }
                        if case .line(let line) = choice { matchedLines.insert(line) }
                        if case .certificateRequired = choice { certificateRefusals += 1 }
                        if ours != choice, failures.count < 8 {
                            failures.append("seed \(seed), \(attempt.summary): server \(choice) (\(outcome.error ?? "connected")), matcher \(ours)\n\(text)")
                        }
                    }
                }
            }
            try cluster.writeHBA("local all all trust\n")
            try Self.reloadAndWait(cluster)
            try cluster.sql("ALTER SYSTEM RESET ssl_ca_file")
            print("match differential on PostgreSQL \(cluster.version): \(pairs) (file, attempt) pairs over \(Self.files) files, \(admitted) real logins, \(certificateRefusals) refused for want of a client certificate, \(failures.count) mismatches")
            #expect(pairs >= 5000)
            #expect(admitted >= 200, "many attempts the matcher admits log in for real")
            #expect(certificateRefusals >= 20, "lines that want a client certificate are reached")
            #expect(matchedLines.count >= 8, "the generated files exercise many lines")
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        }
    }

    /// Half the attempts carry the right password (replication ones never:
    /// the roles may not replicate, which would fail after authentication),
    /// half of the SSL ones present the role's client certificate.
    static func randomAttempt(_ random: inout SeededRandom, source: Source, port: Int,
                              certificates: [String: TestClientCertificate]) -> (ConnectionAttempt, String) {
        let user = random.pick(["u1", "u2", "u3", "postgres", "ghost"])
        let database = random.pick(["d1", "d2", "g1", "u1", "postgres"])
        let ssl = source.client != .unixSocket && random.chance(0.5)
        let replication: ConnectionAttempt.Replication = random.chance(0.7) ? .none : random.pick([.physical, .logical])
        let rightPassword = replication == .none && random.chance(0.5)
        let certificate = ssl && replication == .none && random.chance(0.5) ? certificates[user] : nil
        var conninfo = "host='\(source.host)' port=\(port) user=\(user) dbname=\(database) password=\(rightPassword ? "pw-\(user)" : "wrong-password") "
            + " sslmode=\(ssl ? "require" : "disable") gssencmode=disable sslrootcert=/nonexistent/root.crt connect_timeout=5"
        if let certificate { conninfo += " " + certificate.conninfo }
        if replication == .physical { conninfo += " replication=true" }
        if replication == .logical { conninfo += " replication=database" }
        let attempt = ConnectionAttempt(transport: source.client, ssl: ssl, database: database, user: user, replication: replication,
                                        clientCertificate: certificate != nil)
        return (attempt, conninfo)
    }

    /// One client CA and a certificate for each role that exists (ghost has none).
    static func clientCertificates(_ cluster: TestCluster) throws -> (ca: String, byRole: [String: TestClientCertificate]) {
        let root = cluster.local.root + "/client-certificates"
        let first = try TestClientCertificate.make(in: root + "/u1", role: "u1")
        var byRole = ["u1": first]
        for role in ["u2", "u3", "postgres"] {
            byRole[role] = try TestClientCertificate.make(in: root + "/" + role, role: role,
                                                          signedBy: (first.caPath, first.directory + "/client-ca.key"))
        }
        chown(first.caPath, cluster.local.owner.uid, cluster.local.owner.gid)
        return (first.caPath, byRole)
    }

    /// Reloads and waits until a new backend has the new rules: a backend
    /// forked after the postmaster handled SIGHUP (config, then pg_hba.conf)
    /// inherits the new pg_conf_load_time.
    static func reloadAndWait(_ cluster: TestCluster) throws {
        let control = try ConnectionTarget(cluster.local.socketConninfo(user: "pgsw_control"))
        func loadTime() throws -> String? {
            let connection = try Connection.connect(control)
            defer { connection.close() }
            return try connection.query("SELECT pg_conf_load_time()::text AS t").first?.string("t")
        }
        let before = try loadTime()
        let connection = try Connection.connect(control)
        try connection.query("SELECT pg_reload_conf()")
        connection.close()
        try cluster.waitFor("the reload") { try loadTime() != before }
    }

    static func logSize(_ cluster: TestCluster) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: cluster.local.logFile))?[.size] as? UInt64) ?? 0
    }

    /// The server's decision for each failed attempt, in order, from its log:
    /// a FATAL per attempt, with the matched line in the DETAIL of its pid.
    static func serverChoices(_ cluster: TestCluster, since offset: UInt64, expected: Int) throws -> [ServerChoice] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: cluster.local.logFile))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let text = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var choices: [(pid: String, choice: ServerChoice)] = []
        let pidPattern = try NSRegularExpression(pattern: #"\[(\d+)\]"#)
        let linePattern = try NSRegularExpression(pattern: #"line (\d+)"#)
        func firstGroup(_ pattern: NSRegularExpression, _ line: String) -> String? {
            guard let match = pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                  let range = Range(match.range(at: 1), in: line) else { return nil }
            return String(line[range])
        }
        var pid = ""
        for line in text.split(separator: "\n").map(String.init) {
            // Continuation lines of a message (tab-indented) carry no prefix.
            if !line.hasPrefix("\t") { pid = firstGroup(pidPattern, line) ?? "" }
            if line.contains("FATAL:") {
                if line.contains("password authentication failed") || line.contains("certificate authentication failed") { choices.append((pid, .line(-1))) }
                else if line.contains("connection requires a valid client certificate") { choices.append((pid, .certificateRequired)) }
                else if line.contains("pg_hba.conf rejects") { choices.append((pid, .explicitReject)) }
                else if line.contains("no pg_hba.conf entry") { choices.append((pid, .implicitReject)) }
                else { throw TestEnvironment.Missing(description: "unexpected FATAL in the server log: \(line)") }
            } else if line.contains("DETAIL:") || line.contains("Connection matched") {
                if let number = firstGroup(linePattern, line).flatMap(Int.init),
                   let index = choices.lastIndex(where: { $0.pid == pid && $0.choice == .line(-1) }) {
                    choices[index].choice = .line(number)
                }
            }
        }
        guard choices.count == expected else {
            throw TestEnvironment.Missing(description: "expected \(expected) refusals in the server log, found \(choices.count):\n\(text)")
        }
        return choices.map(\.choice)
    }
}
