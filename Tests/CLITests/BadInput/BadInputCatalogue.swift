import Certificates
import Executor
import Foundation
import HostIO
import Sandbox
import TestSupport
import X509

/// The catalogue, by step. Every case starts from the same cluster (SSL off,
/// remote and loopback `host` rules, one plain-text TCP session) and must
/// end with one message saying what is wrong and what to do, and nothing
/// changed (files, settings, load time, backends).
enum BadInputCatalogue {
    static let hba = """
        local   all   all                   trust
        host    all   all   127.0.0.1/32    scram-sha-256
        host    all   all   10.0.0.0/8      scram-sha-256

        """

    static func apply(_ cluster: TestCluster, _ extra: [String] = []) -> [String] {
        ["apply", cluster.socketConninfo, "--yes", "--include-loopback"] + extra
    }

    static func applyCreating(_ cluster: TestCluster) -> [String] { apply(cluster, ["--create-certificates", "self-signed"]) }

    /// The certificate cases: without the opt-out a broken or missing certificate is replaced by default.
    static func applyKeeping(_ cluster: TestCluster) -> [String] { apply(cluster, ["--create-certificates", "none"]) }

    static let cases: [BadInputCase] = commandLine + preflight + certificates + settings + hbaFile + fileSystem + terminal

    // MARK: - The command line and the connection

    static let commandLine: [BadInputCase] = [
        BadInputCase(step: "cli", name: "conninfo with a bad port", arguments: { _ in ["apply", "port=notanumber", "--yes"] },
                     exitCode: 3, mentions: ["notanumber"]),
        BadInputCase(step: "cli", name: "server not reachable", arguments: { _ in ["apply", "host=127.0.0.1 port=1 connect_timeout=2", "--yes"] },
                     exitCode: 3, mentions: ["127.0.0.1", "port 1"]),
        BadInputCase(step: "cli", name: "wrong password", arguments: { cluster in
            ["apply", cluster.tcpConninfo(password: "wrong-secret-pw", sslmode: "disable"), "--yes"] },
                     exitCode: 3, mentions: ["password authentication failed"]),
        BadInputCase(step: "cli", name: "apply without --yes", arguments: { cluster in ["apply", cluster.socketConninfo] },
                     exitCode: 64, mentions: ["review `pg-ssl-wizard plan` first, then add --yes"]),
        BadInputCase(step: "cli", name: "--must-keep without an address", arguments: { cluster in
            apply(cluster, ["--must-keep", "user=monitor addr=nowhere"]) }, exitCode: 3, mentions: ["nowhere is not an IP address"]),
        BadInputCase(step: "cli", name: "--min-tls below the floor", arguments: { cluster in apply(cluster, ["--min-tls", "TLSv1"]) },
                     exitCode: 3, mentions: ["never lowers the floor"]),
        BadInputCase(step: "cli", name: "--operator-pid that is no session", arguments: { cluster in apply(cluster, ["--operator-pid", "1"]) },
                     exitCode: 3, mentions: ["1"]),
        BadInputCase(step: "cli", name: "resume with no run", arguments: { cluster in ["resume", cluster.socketConninfo] },
                     exitCode: 3, mentions: ["no run of this cluster is recorded", "pg-ssl-wizard apply"]),
        BadInputCase(step: "cli", name: "rollback with no run", arguments: { cluster in ["rollback", cluster.socketConninfo] },
                     exitCode: 3, mentions: ["no run of this cluster is recorded"]),
        BadInputCase(step: "cli", name: "unknown practice scenario", arguments: { _ in ["practice", "--scenario", "nosuch", "--no-ui"] },
                     exitCode: 64, mentions: ["no scenario \"nosuch\"", "choose one of: basic"]),
    ]

    // MARK: - Preflight: roles and concurrent runs

    static let preflight: [BadInputCase] = [
        BadInputCase(step: "preflight", name: "not a superuser", setup: { cluster, _ in
            try cluster.sql("CREATE ROLE app LOGIN")
            return .init()
        }, arguments: { cluster in apply(cluster).replacing(cluster.socketConninfo, with: cluster.local.socketConninfo(user: "app")) },
                     exitCode: 11, mentions: ["not a superuser", "connect as a superuser"]),
        BadInputCase(step: "preflight", name: "monitoring role without pg_signal_backend", setup: { cluster, _ in
            try cluster.sql("CREATE ROLE watcher LOGIN")
            try cluster.sql("GRANT pg_read_all_stats, pg_read_all_settings TO watcher")
            return .init()
        }, arguments: { cluster in apply(cluster).replacing(cluster.socketConninfo, with: cluster.local.socketConninfo(user: "watcher")) },
                     exitCode: 11, mentions: ["not a superuser"]),
        BadInputCase(step: "preflight", name: "a second run while one is under way", setup: { cluster, wizard in
            let (child, _) = try wizard.startPaused(applyCreating(cluster), at: "before:install_certificates")
            return .init(cleanup: { child.terminate() })
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 3, mentions: ["another", "pg-ssl-wizard"]),
        BadInputCase(step: "preflight", name: "the operator would be locked out", setup: { cluster, wizard in
            let scratch = (wizard.stateHome as NSString).deletingLastPathComponent
            return .init(environment: ["PGPASSFILE": try BadInputSetup.passfile(cluster, in: scratch, owner: .current)])
        }, arguments: { cluster in
            ["apply", BadInputSetup.tcpWithoutPassword(cluster, sslmode: "disable"), "--yes", "--include-loopback", "--create-certificates", "self-signed"] },
                     exitCode: 11, mentions: ["the plan is blocked, nothing was changed"]),
    ]

    // MARK: - Step 1: certificates

    static let certificates: [BadInputCase] = [
        BadInputCase(step: "certs", name: "no certificate and no --create-certificates", arguments: { cluster in applyKeeping(cluster) },
                     exitCode: 11, mentions: ["does not exist", "--create-certificates"]),
        BadInputCase(step: "certs", name: "garbage certificate file", setup: { cluster, _ in
            try BadInputSetup.writeInData(cluster, "server.crt", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", mode: 0o644)
            try BadInputSetup.writeInData(cluster, "server.key", "not a key\n")
            return .init()
        }, arguments: { cluster in applyKeeping(cluster) }, exitCode: 11, mentions: ["server.crt", "--create-certificates"]),
        BadInputCase(step: "certs", name: "key of another certificate", setup: { cluster, _ in
            let first = try BadInputSetup.certificate(cluster)
            let other = try TestCertificate.make(in: cluster.local.root + "/other", owner: cluster.local.owner)
            try FileManager.default.removeItem(atPath: first.keyPath)
            try FileManager.default.copyItem(atPath: other.keyPath, toPath: first.keyPath)
            chown(first.keyPath, cluster.local.owner.uid, cluster.local.owner.gid)
            try cluster.reload()
            return .init()
        }, arguments: { cluster in applyKeeping(cluster) }, exitCode: 11, mentions: ["does not belong", "--create-certificates"]),
        BadInputCase(step: "certs", name: "expired certificate", setup: { cluster, _ in
            let files = try BadInputSetup.certificate(cluster)
            let key = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: files.keyPath, encoding: .utf8))
            let expired = try CertificateFactory.serverCertificate(
                CertificateRequest(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], keyKind: .ecdsaP256, validityDays: 30),
                key: key, issuer: nil, now: Date().addingTimeInterval(-400 * 86_400))
            try LocalCluster.writeOwned(files.certificatePath, PEMEncoding.certificate(expired), owner: cluster.local.owner, mode: 0o644)
            try cluster.reload()
            return .init()
        }, arguments: { cluster in applyKeeping(cluster) }, exitCode: 11, mentions: ["expired", "--create-certificates"]),
        BadInputCase(step: "certs", name: "key readable by others (0644)", setup: { cluster, _ in
            let files = try BadInputSetup.certificate(cluster)
            chmod(files.keyPath, 0o644)
            try cluster.reload()
            return .init()
        }, arguments: { cluster in ["certs", "inspect", cluster.socketConninfo, "--names", "localhost"] },
                     exitCode: 2, channel: .inspectError, mentions: ["0644", "0600"]),
        BadInputCase(step: "certs", name: "key owned by another user", setup: { cluster, _ in
            let files = try BadInputSetup.certificate(cluster)
            let nobody = try BadInputSetup.nobody()
            chown(files.keyPath, nobody.uid, nobody.gid)
            try cluster.reload()
            return .init()
        }, arguments: { cluster in ["certs", "inspect", cluster.socketConninfo, "--names", "localhost"] },
                     exitCode: 2, channel: .inspectError, mentions: ["owned by nobody", "chown postgres"]),
        BadInputCase(step: "certs", name: "local CA inside the data directory", arguments: { cluster in
            ["certs", "generate", "--ca", "--dns", "localhost", "--out", cluster.dataDirectory, "--ca-dir", cluster.dataDirectory + "/ca"] },
                     exitCode: 3, mentions: ["inside a data directory", "--ca-dir"]),
    ]

    // MARK: - Step 2: settings

    static let settings: [BadInputCase] = [
        BadInputCase(step: "ssl_on", name: "an error in postgresql.conf", setup: { cluster, _ in
            try cluster.appendToConfig("shared_buffers = 'lots'\n")
            return .init()
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["postgresql.conf line", "fix it first"]),
        BadInputCase(step: "ssl_on", name: "ALTER SYSTEM forbidden (17)", major: 17, setup: { cluster, _ in
            try cluster.appendToConfig("allow_alter_system = off\n")
            try cluster.reload()
            return .init()
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["allow_alter_system is off", "postgresql.conf"]),
    ]

    // MARK: - Step 3: pg_hba.conf

    static let hbaFile: [BadInputCase] = [
        BadInputCase(step: "hba_rewrite", name: "malformed line", setup: { cluster, _ in
            try cluster.appendToHBA("host all all 10.0.0.0/33 md5\n")
            return .init()
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["line 4", "invalid CIDR mask", "fix the file first"]),
        BadInputCase(step: "hba_rewrite", name: "missing @file", setup: { cluster, _ in
            try cluster.appendToHBA("host all @admins.txt 10.0.0.0/8 md5\n")
            return .init()
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["admins.txt", "fix the file first"]),
        BadInputCase(step: "hba_rewrite", name: "include loop (16)", major: 16, setup: { cluster, _ in
            try BadInputSetup.writeInData(cluster, "loop.conf", "include pg_hba.conf\n")
            try cluster.appendToHBA("include loop.conf\n")
            return .init()
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["would not load", "fix the file first"]),
        BadInputCase(step: "hba_rewrite", name: "an unknown option", setup: { cluster, _ in
            try cluster.appendToHBA("host all all 10.0.0.0/8 md5 clientcert=sometimes\n")
            return .init()
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["line 4", "clientcert", "fix the file first"]),
        // Over TCP, as the cluster's socket is root's and the server user's alone, with the
        // password in a file of nobody's; `prefer`, so that it takes SSL once SSL is on and the
        // guard lets the plan through.
        BadInputCase(step: "hba_rewrite", name: "hba file unreadable to the wizard's user", setup: { cluster, wizard in
            let nobody = try BadInputSetup.nobody()
            try FileManager.default.createDirectory(atPath: wizard.stateHome, withIntermediateDirectories: true)
            chown(wizard.stateHome, nobody.uid, nobody.gid)
            return .init(environment: ["PGPASSFILE": try BadInputSetup.passfile(cluster, in: wizard.stateHome, owner: nobody)], runAs: nobody)
        }, arguments: { cluster in
            applyCreating(cluster).replacing(cluster.socketConninfo, with: BadInputSetup.tcpWithoutPassword(cluster, sslmode: "prefer"))
        }, exitCode: 3, mentions: ["cannot read", "pg_hba.conf", "as root or the server's OS user"]),
    ]

    // MARK: - Files the run writes

    static let fileSystem: [BadInputCase] = [
        BadInputCase(step: "hba_rewrite", name: "pg_hba.conf on a read-only file system", setup: { cluster, _ in
            let directory = try BadInputSetup.hbaOnOwnFileSystem(cluster, sizeKiB: 1024)
            try ProcessRunner.checked("mount", ["-o", "remount,ro", directory])
            return .init(cleanup: { BadInputSetup.unmount(directory) })
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["read-only file system", "remount it read-write"]),
        BadInputCase(step: "hba_rewrite", name: "no room for the backup", setup: { cluster, _ in
            let directory = try BadInputSetup.hbaOnOwnFileSystem(cluster, sizeKiB: 64)
            _ = try? ProcessRunner.run("dd", ["if=/dev/zero", "of=\(directory)/filler", "bs=4k"])
            return .init(cleanup: { BadInputSetup.unmount(directory) })
        }, arguments: { cluster in applyCreating(cluster) }, exitCode: 11, mentions: ["KiB are free", "free some space first"]),
    ]

    // MARK: - The terminal

    static let terminal: [BadInputCase] = [
        BadInputCase(step: "wizard", name: "TERM=dumb", setup: { _, _ in .init(environment: ["TERM": "dumb"]) },
                     arguments: { cluster in [cluster.socketConninfo] },
                     exitCode: 3, mentions: ["needs an interactive terminal", "apply --yes"]),
        BadInputCase(step: "wizard", name: "a terminal smaller than 80x24", arguments: { cluster in [cluster.socketConninfo] },
                     exitCode: 0, channel: .screen, mentions: ["80x24"]),
    ]
}

extension Array where Element == String {
    func replacing(_ old: String, with new: String) -> [String] { map { $0 == old ? new : $0 } }
}
