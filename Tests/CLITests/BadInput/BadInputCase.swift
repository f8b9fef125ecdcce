import Executor
import Foundation
import HostIO
import Sandbox
import Testing
import TestSupport

/// One entry of the bad-input catalogue: what is wrong, how the test makes
/// it so on a real cluster, what the operator runs, and what they must read.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    /// Where the operator reads the one message.
    enum Channel: Sendable {
        /// One line on stderr (refusals of apply, resume, rollback, bad options).
        case stderr
        /// `certs inspect`: one `ERROR:` line on stdout.
        case inspectError
        /// The wizard's screen in a real terminal (tmux).
        case screen
    }

    /// What the setup leaves for the command: extra environment, an OS user
    /// to run as, and what to undo afterwards (mounts) before the cluster goes.
    struct Prepared: Sendable {
        var environment: [String: String] = [:]
        var runAs: OSUser? = nil
        var cleanup: @Sendable () -> Void = {}
    }

    let step: String
    let name: String
    var major: Int? = nil
    var setup: @Sendable (TestCluster, WizardRun) throws -> Prepared = { _, _ in Prepared() }
    let arguments: @Sendable (TestCluster) -> [String]
    let exitCode: Int32
    var channel: Channel = .stderr
    /// Fragments the message must contain: what is wrong, and what to do.
    let mentions: [String]

    var testDescription: String { "\(step): \(name)" }
}

/// Helpers the cases share.
enum BadInputSetup {
    /// A file system of its own for pg_hba.conf, outside the data directory
    /// (hba_file, then a restart), so it can be made read-only or full.
    static func hbaOnOwnFileSystem(_ cluster: TestCluster, sizeKiB: Int) throws -> String {
        let directory = cluster.local.root + "/conf"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try ProcessRunner.checked("mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0755", "tmpfs", directory])
        let hba = directory + "/pg_hba.conf"
        try LocalCluster.writeOwned(hba, cluster.hbaText, owner: cluster.local.owner, mode: 0o640)
        try cluster.sql("ALTER SYSTEM SET hba_file = '\(hba)'")
        try cluster.local.restart()
        return directory
    }

    /// The superuser's password for the wizard a case runs, in a 0600 pgpass
    /// file of `owner`'s in `directory`: on its command line every local user
    /// could read it, and log in while the case runs.
    static func passfile(_ cluster: TestCluster, in directory: String, owner: OSUser) throws -> String {
        let path = directory + "/pgpass"
        try LocalCluster.writeOwned(path, cluster.local.passfileLine(), owner: owner, mode: 0o600)
        return path
    }

    /// The superuser over TCP with no password in the string (see `passfile`).
    static func tcpWithoutPassword(_ cluster: TestCluster, sslmode: String) -> String {
        "host=127.0.0.1 port=\(cluster.port) user=\(cluster.local.superuser) dbname=postgres sslmode=\(sslmode)"
    }

    static func nobody() throws -> OSUser {
        guard let user = OSUser.named("nobody") else { throw TestEnvironment.Missing(description: "no OS user nobody") }
        return user
    }

    static func unmount(_ directory: String) {
        _ = try? ProcessRunner.run("umount", ["-l", directory])
    }

    /// Writes a file as the cluster's owner in the data directory.
    static func writeInData(_ cluster: TestCluster, _ name: String, _ text: String, mode: mode_t = 0o600) throws {
        try LocalCluster.writeOwned(cluster.dataDirectory + "/" + name, text, owner: cluster.local.owner, mode: mode)
    }

    /// An openssl-made certificate and key pointed at by the server, without reload.
    static func certificate(_ cluster: TestCluster, days: Int = 30) throws -> TestCertificate {
        let certificate = try TestCertificate.make(in: cluster.local.root + "/tls", owner: cluster.local.owner, days: days)
        try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(certificate.certificatePath)'")
        try cluster.sql("ALTER SYSTEM SET ssl_key_file = '\(certificate.keyPath)'")
        return certificate
    }
}
