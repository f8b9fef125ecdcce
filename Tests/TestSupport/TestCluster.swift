import ClusterFacts
import Executor
import Foundation
import PostgresClient
import Sandbox

/// A real PostgreSQL cluster for one test (or one suite): created from a
/// per-process initdb template, started on a free port as the `postgres`
/// OS user when the tests run as root, and always stopped and removed.
public final class TestCluster: @unchecked Sendable {
    public let local: LocalCluster
    /// The test network whose server namespace runs this cluster, if any.
    public let lab: NetworkLab?

    public var port: Int { local.port }
    public var version: ServerVersion { local.binaries.version }
    public var hbaFile: String { local.hbaFile }
    public var dataDirectory: String { local.dataDirectory }
    public var socketConninfo: String { local.socketConninfo() }

    /// Creates and starts a cluster; `configure` adjusts its options first.
    public static func start(binaries: PostgresBinaries? = nil, lab: NetworkLab? = nil,
                             configure: (inout LocalCluster.Options) -> Void = { _ in }) throws -> TestCluster {
        let binaries = try binaries ?? PostgresBinaries.locate()
        Registry.shared.reapStaleClusters()
        var options = LocalCluster.Options()
        // Its own password, set as it starts (below): the connection strings of the tests'
        // children show it to every local user (/proc/<pid>/cmdline), and one shown must open
        // no other cluster, nor the template's copies before they start.
        options.superuserPassword = "fixture-" + UUID().uuidString.lowercased()
        options.settings["fsync"] = "off"
        options.settings["log_line_prefix"] = "'%m [%p] '"
        if let lab {
            options.networkNamespace = lab.serverNamespace
            options.listenAddresses = lab.serverListenAddresses
        }
        configure(&options)
        options.template = try TemplateCache.shared.template(for: binaries)
        let root = try Registry.shared.newRoot()
        let owner = try LocalCluster.defaultOwner()
        let local = try LocalCluster.create(binaries: binaries, root: root, owner: owner, options: options)
        let cluster = TestCluster(local: local, lab: lab)
        Registry.shared.register(cluster)
        do {
            try local.start()
            // Over the socket (root's and the server user's alone); the quoted text is hex digits and dashes.
            try cluster.sql("ALTER ROLE \(local.superuser) PASSWORD '\(local.superuserPassword)'")
        } catch {
            cluster.destroy()
            throw error
        }
        return cluster
    }

    /// Runs `body` with a fresh cluster and removes it afterwards, also on failure.
    public static func with<T>(binaries: PostgresBinaries? = nil, lab: NetworkLab? = nil,
                               configure: (inout LocalCluster.Options) -> Void = { _ in },
                               _ body: (TestCluster) async throws -> T) async throws -> T {
        let cluster = try start(binaries: binaries, lab: lab, configure: configure)
        defer { cluster.destroy() }
        return try await body(cluster)
    }

    /// A cluster on a loopback of its own, for a test that lets everyone in over
    /// TCP (`trust`): the server listens in a lab's namespace, with no clients,
    /// and `body` runs in it (`InNetworkNamespace`), as do the processes it
    /// starts. On the host's 127.0.0.1 any local user would be let in as the
    /// superuser, and run programs as the server's OS user.
    public static func withPrivateLoopback<T>(binaries: PostgresBinaries? = nil, _ body: (TestCluster) throws -> T) async throws -> T {
        let lab = try NetworkLab.create(clients: 0)
        defer { lab.destroy() }
        return try await with(binaries: binaries, lab: lab) { cluster in
            try InNetworkNamespace.run(lab.serverNamespace) { try body(cluster) }
        }
    }

    /// Two clusters on one such loopback: a server and another listener there (an impostor).
    public static func withPrivateLoopback<T>(_ body: (TestCluster, TestCluster) throws -> T) async throws -> T {
        let lab = try NetworkLab.create(clients: 0)
        defer { lab.destroy() }
        return try await with(lab: lab) { first in
            try await with(lab: lab) { second in
                try InNetworkNamespace.run(lab.serverNamespace) { try body(first, second) }
            }
        }
    }

    /// The synchronous `with`, for benchmarks and tools outside a test.
    public static func withSync<T>(binaries: PostgresBinaries? = nil, _ body: (TestCluster) throws -> T) throws -> T {
        let cluster = try start(binaries: binaries)
        defer { cluster.destroy() }
        return try body(cluster)
    }

    init(local: LocalCluster, lab: NetworkLab?) {
        self.local = local
        self.lab = lab
    }

    private let heldLock = NSLock()
    private var held: [Connection] = []

    public func destroy() {
        heldLock.lock()
        held.forEach { $0.close() }
        held = []
        heldLock.unlock()
        local.destroy()
        Registry.shared.unregister(self)
    }

    // MARK: - Connections

    /// A superuser connection over the unix socket.
    public func superuserConnection() throws -> Connection {
        try Connection.connect(ConnectionTarget(local.socketConninfo()))
    }

    /// Runs SQL as superuser over the socket and returns the result.
    @discardableResult
    public func sql(_ statement: String, _ parameters: [(any PostgresParameter)?] = []) throws -> QueryResult {
        let connection = try superuserConnection()
        defer { connection.close() }
        return try connection.query(statement, parameters)
    }

    public func tcpConninfo(host: String = "127.0.0.1", user: String? = nil, password: String? = nil,
                            database: String = "postgres", sslmode: String = "disable") -> String {
        local.tcpConninfo(host: host, user: user, password: password, database: database, sslmode: sslmode)
    }

    public enum Route: Sendable { case socket, tcp(sslmode: String) }

    /// Opens `count` sessions that stay open until the cluster is destroyed
    /// (or `releaseHeldSessions` is called).
    @discardableResult
    public func holdSessions(_ count: Int, via route: Route, applicationName: String = "held-session",
                             user: String? = nil) throws -> [Connection] {
        var opened: [Connection] = []
        for _ in 0..<count {
            let conninfo: String
            switch route {
            case .socket: conninfo = local.socketConninfo(user: user)
            case .tcp(let sslmode): conninfo = local.tcpConninfo(user: user, sslmode: sslmode)
            }
            let target = try ConnectionTarget(conninfo).with("application_name", applicationName)
            opened.append(try Connection.connect(target))
        }
        heldLock.lock()
        held += opened
        heldLock.unlock()
        return opened
    }

    public func releaseHeldSessions() {
        heldLock.lock()
        held.forEach { $0.close() }
        held = []
        heldLock.unlock()
    }

    // MARK: - Configuration

    public func writeHBA(_ text: String) throws {
        try refuseTrustOverTCP(text)
        try local.writeHBA(text)
    }

    /// A file for the server's parse alone (`pg_hba_file_rules` re-reads the
    /// file on disk): nothing loads it, so a rule in it lets nobody in. The
    /// caller writes a safe file back before anything reloads.
    public func writeHBAForTheParseOnly(_ text: String) throws { try local.writeHBA(text) }

    public struct OpenToEveryLocalUser: Error, CustomStringConvertible {
        public let rule: String
        public var description: String { "a trust rule over TCP on the host's loopback (\(rule)): use TestCluster.withPrivateLoopback" }
    }

    /// A `host` rule that lets anyone in without a password is for a cluster
    /// in a lab only (`withPrivateLoopback`): on the host's loopback it would
    /// let every local user in while the test runs.
    public func refuseTrustOverTCP(_ text: String) throws {
        guard lab == nil else { return }
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let kind = fields.first, kind.hasPrefix("host"), fields.contains("trust") {
                throw OpenToEveryLocalUser(rule: String(line))
            }
        }
    }

    /// On the host's loopback, refused when the rules about to load would let
    /// anyone in over TCP: the server's own reading of the file on disk
    /// (`pg_hba_file_rules`) sees what `refuseTrustOverTCP` cannot (quotes,
    /// included files, another `hba_file`).
    public func reload() throws {
        if lab == nil, let trusting = try sql("""
            SELECT pg_catalog.string_agg(line_number::text, ', ') AS lines FROM pg_catalog.pg_hba_file_rules
             WHERE type LIKE 'host%' AND auth_method = 'trust'
            """).rows.first?.optionalString("lines") {
            throw OpenToEveryLocalUser(rule: "pg_hba.conf lines \(trusting), as the server reads them")
        }
        try sql("SELECT pg_reload_conf()")
    }

    /// Turns SSL on with a certificate for localhost / 127.0.0.1 made by
    /// openssl (a test oracle, independent of the code under test).
    public func enableSSL() throws -> TestCertificate {
        let certificate = try TestCertificate.make(in: local.root + "/tls", owner: local.owner)
        try sql("ALTER SYSTEM SET ssl_cert_file = '\(certificate.certificatePath)'")
        try sql("ALTER SYSTEM SET ssl_key_file = '\(certificate.keyPath)'")
        try sql("ALTER SYSTEM SET ssl = on")
        try reload()
        try waitFor("TLS to come up") {
            try Probe.attempts([tcpConninfo(sslmode: "require")], in: lab?.serverNamespace).first?.ssl == true
        }
        return certificate
    }

    /// SSL on, with P-256 the one key-exchange group the server takes: 13 to
    /// 17's default (`ssl_ecdh_curve = prime256v1`), set on 18 too, where the
    /// old name still works.
    @discardableResult
    public func enableSSLWithP256Only() throws -> TestCertificate {
        let certificate = try enableSSL()
        try sql("ALTER SYSTEM SET ssl_ecdh_curve = 'prime256v1'")
        try reload()
        // By value, not by SHOW's column: 18 names it after ssl_groups, whose old name this is.
        try waitFor("ssl_ecdh_curve") {
            try sql("SELECT pg_catalog.current_setting('ssl_ecdh_curve') AS curve").first?.string("curve") == "prime256v1"
        }
        return certificate
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    public func waitFor(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestEnvironment.Missing(description: "timed out after \(seconds) s waiting for \(what); server log: \(local.logTail())")
    }

    public var serverLog: String { (try? String(contentsOfFile: local.logFile, encoding: .utf8)) ?? "" }
}
