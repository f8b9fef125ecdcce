import Executor
import Foundation
import HostIO
import Sandbox

/// A real streaming standby of a test cluster, running inside a client
/// namespace of the test network: pg_basebackup -R from there, then its
/// own postmaster there. Its walsender on the primary comes from that
/// namespace's address.
public final class TestStandby: @unchecked Sendable {
    public let root: String
    public let namespace: String
    let binaries: PostgresBinaries
    let owner: OSUser

    public var dataDirectory: String { root + "/data" }

    /// `sslmode` goes into primary_conninfo, as an operator would have written it.
    public static func start(of primary: TestCluster, in client: NetworkLab.Client, sslmode: String = "disable",
                             applicationName: String = "standby-1") throws -> TestStandby {
        let binaries = primary.local.binaries
        let owner = primary.local.owner
        let root = try Registry.shared.newRoot()
        try FileManager.default.createDirectory(atPath: root + "/sock", withIntermediateDirectories: true)
        chown(root, owner.uid, owner.gid)
        chown(root + "/sock", owner.uid, owner.gid)
        let standby = TestStandby(root: root, namespace: client.namespace, binaries: binaries, owner: owner)
        let conninfo = primary.tcpConninfo(host: client.serverV4, sslmode: sslmode) + " application_name=\(applicationName)"
        do {
            try ProcessRunner.checked(binaries.path("pg_basebackup"), ["-D", standby.dataDirectory, "-R", "-X", "stream", "-c", "fast",
                                                                       "-d", conninfo],
                                      as: owner, inNamespace: client.namespace, timeoutSeconds: 120)
            let port = try FreePort.find()
            let settings = "port = \(port)\nunix_socket_directories = '\(root)/sock'\nlisten_addresses = ''\nhot_standby = on\n"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: standby.dataDirectory + "/postgresql.conf"))
            handle.seekToEndOfFile()
            handle.write(Data(settings.utf8))
            try handle.close()
            try ProcessRunner.checked(binaries.path("pg_ctl"), ["-D", standby.dataDirectory, "-l", root + "/server.log", "-w", "-t", "60", "start"],
                                      as: owner, inNamespace: client.namespace, environment: binaries.serverEnvironment, timeoutSeconds: 90)
        } catch {
            standby.destroy()
            throw TestEnvironment.Missing(description: "the standby did not start: \(error); log: \((try? String(contentsOfFile: root + "/server.log", encoding: .utf8)) ?? "")")
        }
        return standby
    }

    init(root: String, namespace: String, binaries: PostgresBinaries, owner: OSUser) {
        self.root = root
        self.namespace = namespace
        self.binaries = binaries
        self.owner = owner
    }

    public func destroy() {
        _ = try? ProcessRunner.run(binaries.path("pg_ctl"), ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], as: owner, timeoutSeconds: 60)
        try? FileManager.default.removeItem(atPath: root)
    }
}
