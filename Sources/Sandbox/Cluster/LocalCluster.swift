import ClusterFacts
import Executor
import Foundation
import HostIO

/// A throwaway PostgreSQL cluster in its own directory: data, socket and
/// log live under `root`, the server listens on a free high port, and
/// everything runs as `owner` (the `postgres` OS user when we are root,
/// because initdb refuses root).
public final class LocalCluster: @unchecked Sendable {
    public struct Options: Sendable {
        public var listenAddresses: [String] = ["127.0.0.1"]
        /// Extra postgresql.conf settings, written verbatim (values already quoted).
        public var settings: [String: String] = [:]
        public var superuser = "postgres"
        /// A practice sandbox listens on loopback for as long as it is kept: 122 random bits, not 32.
        public var superuserPassword = "sandbox-" + UUID().uuidString.lowercased()
        /// A data directory made by initdb earlier with the same superuser and
        /// password; copying it is much faster than initdb.
        public var template: String? = nil
        /// Run the server inside this network namespace (the "database host"
        /// of a test network); its unix socket stays reachable from everywhere.
        public var networkNamespace: String? = nil
        public init() {}
    }

    public let binaries: PostgresBinaries
    public let root: String
    public let owner: OSUser
    public let port: Int
    public let options: Options

    public var dataDirectory: String { root + "/data" }
    public var socketDirectory: String { root + "/sock" }
    public var logFile: String { root + "/server.log" }
    public var hbaFile: String { dataDirectory + "/pg_hba.conf" }
    public var superuser: String { options.superuser }
    public var superuserPassword: String { options.superuserPassword }

    /// The OS user a cluster must run as from this process.
    public static func defaultOwner() throws(SandboxError) -> OSUser {
        guard OSUser.isRoot else { return OSUser.current }
        guard let postgres = OSUser.named("postgres") else { throw .noServerUser }
        return postgres
    }

    /// Runs initdb (or copies `options.template`) and writes the configuration. Does not start.
    public static func create(binaries: PostgresBinaries, root: String, owner: OSUser, port: Int? = nil,
                              options: Options = Options()) throws(SandboxError) -> LocalCluster {
        let chosenPort: Int
        if let port { chosenPort = port } else { chosenPort = try FreePort.find() }
        let cluster = LocalCluster(binaries: binaries, root: root, owner: owner, port: chosenPort, options: options)
        try cluster.makeDirectories()
        if let template = options.template {
            do {
                // As the owner: the root and the template are theirs, and root copying into a
                // directory of theirs would follow a link they put at `data`, anywhere.
                try ProcessRunner.checked("cp", ["-a", template, cluster.dataDirectory], as: owner.isCurrent ? nil : owner)
            } catch {
                throw .initdbFailed(operatorMessage(for: error))
            }
        } else {
            try cluster.initdb()
        }
        try cluster.writeConfiguration()
        return cluster
    }

    private init(binaries: PostgresBinaries, root: String, owner: OSUser, port: Int, options: Options) {
        self.binaries = binaries
        self.root = root
        self.owner = owner
        self.port = port
        self.options = options
    }

    /// Runs initdb into `directory` (used for templates and new clusters).
    public static func initdb(binaries: PostgresBinaries, directory: String, owner: OSUser, superuser: String,
                              password: String, scratch: String) throws(SandboxError) {
        let passwordFile = scratch + "/pwfile"
        // initdb under runuser cannot read the parent's /dev/fd: a real file owned by the server user.
        try writeOwned(passwordFile, password + "\n", owner: owner, mode: 0o600)
        defer { unlink(passwordFile) }
        do {
            try ProcessRunner.checked(binaries.path("initdb"), [
                "-D", directory, "-U", superuser, "--pwfile=\(passwordFile)",
                "--auth-local=trust", "--auth-host=scram-sha-256",
                "-E", "UTF8", "--locale=C", "--no-sync",
            ], as: owner, timeoutSeconds: 300)
        } catch {
            throw .initdbFailed(operatorMessage(for: error))
        }
    }

    private func initdb() throws(SandboxError) {
        try Self.initdb(binaries: binaries, directory: dataDirectory, owner: owner, superuser: superuser,
                        password: superuserPassword, scratch: root)
    }

    private func makeDirectories() throws(SandboxError) {
        for directory in [root, socketDirectory] { try SandboxFiles.ownedDirectory(directory, owner: owner, mode: 0o755) }
    }

    private func writeConfiguration() throws(SandboxError) {
        var lines = [
            "", "# --- pg-ssl-wizard local cluster ---",
            "port = \(port)",
            "listen_addresses = '\(options.listenAddresses.joined(separator: ","))'",
            "unix_socket_directories = '\(socketDirectory)'",
            // Every local cluster lets local logins in without a password (the rules
            // below): a socket anyone may open would let any local user in as the
            // superuser, and so run programs as the server's OS user (`COPY ... TO
            // PROGRAM`). Root and that user alone reach it (docs/SECURITY.md).
            "unix_socket_permissions = 0700",
            "max_connections = 300",
        ]
        for (name, value) in options.settings.sorted(by: { $0.key < $1.key }) { lines.append("\(name) = \(value)") }
        try appendConfiguration(lines.joined(separator: "\n"))
        try writeHBA("""
            # TYPE  DATABASE        USER            ADDRESS                 METHOD
            local   all             all                                     trust
            host    all             all             127.0.0.1/32            scram-sha-256
            host    all             all             ::1/128                 scram-sha-256
            local   replication     all                                     trust
            host    replication     all             127.0.0.1/32            scram-sha-256

            """)
    }

    /// Replaces pg_hba.conf (takes effect on the next reload).
    public func writeHBA(_ text: String) throws(SandboxError) {
        try Self.writeOwned(hbaFile, text, owner: owner, mode: 0o600)
    }

    /// Appends settings to postgresql.conf.
    public func appendConfiguration(_ text: String) throws(SandboxError) {
        try SandboxFiles.append(text + "\n", to: dataDirectory + "/postgresql.conf", owner: owner)
    }

    /// Writes a file owned by `owner` with `mode` (tests and scenarios only;
    /// the wizard's own writes go through the executor's atomic writer).
    public static func writeOwned(_ path: String, _ text: String, owner: OSUser, mode: mode_t) throws(SandboxError) {
        // The directory is the owner's: through the atomic writer (directory descriptor, no link followed).
        do {
            try AtomicFileWriter().write(Array(text.utf8), to: path, mode: mode, owner: owner.fileOwner, backup: nil)
        } catch {
            throw .fileSystem(error.operatorMessage)
        }
    }

    // MARK: - Lifecycle

    public func start(timeoutSeconds: Int = 60) throws(SandboxError) {
        do {
            try ProcessRunner.checked(binaries.path("pg_ctl"), [
                "-D", dataDirectory, "-l", logFile, "-w", "-t", String(timeoutSeconds), "start",
            ], as: owner, inNamespace: options.networkNamespace, environment: binaries.serverEnvironment,
               timeoutSeconds: Double(timeoutSeconds + 30))
        } catch {
            throw .startFailed(log: logTail())
        }
    }

    public func stop(mode: String = "fast") throws(SandboxError) {
        guard isRunning else { return }
        do {
            try ProcessRunner.checked(binaries.path("pg_ctl"), ["-D", dataDirectory, "-m", mode, "-w", "-t", "60", "stop"],
                                      as: owner, timeoutSeconds: 90)
        } catch {
            if mode != "immediate" { return try stop(mode: "immediate") }
            throw .stopFailed(operatorMessage(for: error))
        }
    }

    public func restart() throws(SandboxError) {
        try stop()
        try start()
    }

    public var isRunning: Bool {
        guard let output = try? ProcessRunner.run(binaries.path("pg_ctl"), ["-D", dataDirectory, "status"], as: owner) else {
            return false
        }
        return output.exitCode == 0
    }

    /// The postmaster's pid from postmaster.pid, while it runs.
    public var postmasterPID: Int32? { Postmaster.pid(dataDirectory: dataDirectory) }

    /// Stops the server (immediately if needed) and removes every file.
    public func destroy() {
        try? stop()
        if isRunning, let pid = postmasterPID { kill(pid, SIGKILL) }
        SandboxFiles.remove(root, owner: owner)
    }

    // MARK: - Connecting

    /// A conninfo for the superuser over the unix socket (trust), naming `passfile` if given.
    public func socketConninfo(user: String? = nil, database: String = "postgres", passfile: String? = nil) -> String {
        "host=\(socketDirectory) port=\(port) user=\(user ?? superuser) dbname=\(database)" + Self.naming(passfile)
    }

    /// A conninfo over TCP to `host`; includes the password when none is given,
    /// unless it names a `passfile` to read it from instead.
    public func tcpConninfo(host: String = "127.0.0.1", user: String? = nil, password: String? = nil,
                            database: String = "postgres", sslmode: String = "disable", passfile: String? = nil) -> String {
        let secret = passfile != nil ? password : password ?? (user == nil || user == superuser ? superuserPassword : nil)
        var text = "host=\(host) port=\(port) user=\(user ?? superuser) dbname=\(database) sslmode=\(sslmode)"
        if let secret { text += " password=\(secret)" }
        return text + Self.naming(passfile)
    }

    /// The superuser's line of a pgpass file for this cluster's port (`*`: any
    /// host), its fields escaped as libpq reads them.
    public func passfileLine(host: String = "*") -> String {
        func field(_ text: String) -> String { text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:") }
        return [host == "*" ? "*" : field(host), String(port), "*", field(superuser), field(superuserPassword)].joined(separator: ":") + "\n"
    }

    /// ` passfile='...'`, quoted for a connection string (a home with a space in it), or nothing.
    static func naming(_ passfile: String?) -> String {
        guard let passfile else { return "" }
        return " passfile='" + passfile.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    public func logTail(lines: Int = 5) -> String {
        // Through no link: the log lies in the server user's directory.
        let text = (try? HostFile.read(logFile, limit: 64 * 1024 * 1024)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}

/// A free TCP port on 127.0.0.1, chosen by the kernel (ephemeral range, so high).
public enum FreePort {
    public static func find() throws(SandboxError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .noFreePort }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw .noFreePort }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw .noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
