import Executor
import Foundation
import HBA
import HostIO

/// The suite's own test hosts: a "database host" namespace and client
/// namespaces, each client joined to the server by a veth pair. Private
/// addresses exist only inside these namespaces; the host's network is
/// untouched. Names carry the test process's pid so a crashed run's labs
/// are removed by the next run.
public final class NetworkLab: @unchecked Sendable {
    public struct Client: Sendable {
        public let namespace: String
        public let addressV4: String
        public let addressV6: String
        /// The server's addresses on this client's link.
        public let serverV4: String
        public let serverV6: String
    }

    public let serverNamespace: String
    public let clients: [Client]
    private let allNamespaces: [String]

    /// Client subnets: three kinds of private ranges.
    static let subnets = [("10.77.1", "fd77:1::"), ("192.168.77", "fd77:2::"), ("172.20.77", "fd77:3::"),
                          ("10.88.4", "fd77:4::"), ("10.99.5", "fd77:5::")]

    private static let counterLock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    public static func create(clients count: Int = 3) throws -> NetworkLab {
        try TestEnvironment.requireRoot(for: "network namespaces")
        reapStale()
        counterLock.lock()
        counter += 1
        let prefix = "pgsw-\(getpid())-\(counter)"
        counterLock.unlock()
        let server = prefix + "-srv"
        var clients: [Client] = []
        for index in 0..<min(count, subnets.count) {
            let (v4, v6) = subnets[index]
            clients.append(Client(namespace: "\(prefix)-c\(index + 1)", addressV4: "\(v4).2", addressV6: "\(v6)2",
                                  serverV4: "\(v4).1", serverV6: "\(v6)1"))
        }
        let lab = NetworkLab(server: server, clients: clients)
        do {
            try lab.build()
        } catch {
            lab.destroy()
            throw error
        }
        return lab
    }

    private init(server: String, clients: [Client]) {
        self.serverNamespace = server
        self.clients = clients
        self.allNamespaces = [server] + clients.map(\.namespace)
    }

    private func ip(_ arguments: String...) throws {
        try ProcessRunner.checked("ip", arguments)
    }

    private func build() throws {
        for namespace in allNamespaces {
            try ip("netns", "add", namespace)
            try ip("-n", namespace, "link", "set", "lo", "up")
        }
        for (index, client) in clients.enumerated() {
            let serverSide = "v\(index + 1)"
            try ip("-n", serverNamespace, "link", "add", serverSide, "type", "veth", "peer", "name", "eth0", "netns", client.namespace)
            try ip("-n", serverNamespace, "addr", "add", client.serverV4 + "/24", "dev", serverSide)
            try ip("-n", serverNamespace, "addr", "add", client.serverV6 + "/64", "dev", serverSide, "nodad")
            try ip("-n", client.namespace, "addr", "add", client.addressV4 + "/24", "dev", "eth0")
            try ip("-n", client.namespace, "addr", "add", client.addressV6 + "/64", "dev", "eth0", "nodad")
            try ip("-n", serverNamespace, "link", "set", serverSide, "up")
            try ip("-n", client.namespace, "link", "set", "eth0", "up")
        }
    }

    /// Every address the server listens on in the lab.
    public var serverListenAddresses: [String] {
        ["127.0.0.1", "::1"] + clients.flatMap { [$0.serverV4, $0.serverV6] }
    }

    /// The server namespace's interfaces as getifaddrs reports them (samehost / samenet).
    public func serverInterfaces() throws -> [NetworkInterface] {
        let output = try ProcessRunner.checked("ip", ["-j", "-n", serverNamespace, "addr", "show"]).stdout
        struct Link: Decodable {
            struct Address: Decodable { var local: String; var prefixlen: Int }
            var addr_info: [Address]
        }
        let links = try JSONDecoder().decode([Link].self, from: Data(output.utf8))
        return links.flatMap(\.addr_info).compactMap { info in
            guard let address = IPAddress(numeric: info.local),
                  let mask = IPAddress.mask(bits: info.prefixlen, family: address.family) else { return nil }
            return NetworkInterface(address: address, netmask: mask)
        }
    }

    public func interfaceNames() throws -> Set<String> {
        let output = try ProcessRunner.checked("ip", ["-j", "-n", serverNamespace, "link", "show"]).stdout
        struct Link: Decodable { var ifname: String }
        return Set(try JSONDecoder().decode([Link].self, from: Data(output.utf8)).map(\.ifname))
    }

    /// Runs a command inside a namespace (as root).
    public func run(in namespace: String, _ executable: String, _ arguments: [String],
                    timeoutSeconds: Double = 300) throws -> ProcessOutput {
        try ProcessRunner.run(executable, arguments, inNamespace: namespace, timeoutSeconds: timeoutSeconds)
    }

    /// Kills every process left in the namespaces and deletes them.
    public func destroy() {
        for namespace in allNamespaces.reversed() {
            if let pids = try? ProcessRunner.run("ip", ["netns", "pids", namespace]).stdout {
                for pid in pids.split(whereSeparator: \.isNewline).compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? ProcessRunner.run("ip", ["netns", "del", namespace])
        }
    }

    /// Deletes labs whose test process is gone.
    static func reapStale() {
        guard let output = try? ProcessRunner.run("ip", ["netns", "list"]).stdout else { return }
        for line in output.split(whereSeparator: \.isNewline) {
            let name = String(line.split(separator: " ").first ?? "")
            let parts = name.split(separator: "-")
            guard parts.count >= 4, parts[0] == "pgsw", let pid = Int32(parts[1]), pid != getpid(), kill(pid, 0) != 0 else { continue }
            if let pids = try? ProcessRunner.run("ip", ["netns", "pids", name]).stdout {
                for pid in pids.split(whereSeparator: \.isNewline).compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? ProcessRunner.run("ip", ["netns", "del", name])
        }
    }
}
