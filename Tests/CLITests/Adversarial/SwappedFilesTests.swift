import Executor
import Foundation
import HostIO
import Sandbox
import Testing
import TestSupport

/// The server's OS user owns the data directory and every directory the
/// wizard writes in for it: between a check and a use it can swap any name
/// there for a symbolic link to a file only root may touch. Each case swaps
/// one file the run relies on, as that user, while the wizard is stopped at
/// the right point (or between two commands): the run refuses or stops, and
/// the root-only decoy keeps its bytes, mode and owner; its bytes reach no
/// output and no file the server's user can read (docs/SECURITY.md, "Files").
@Suite(.serialized)
struct SwappedFilesTests {
    /// A root-only file in a root-only directory, and how to tell it was not touched.
    struct Decoy {
        let path: String
        let secret = "DECOY-" + UUID().uuidString
        init() throws {
            let directory = try TestEnvironment.scratchDirectory()
            chmod(directory, 0o711)
            path = directory + "/root-only"
            try (secret + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            chown(path, 0, 0)
            chmod(path, 0o640)
        }
        var fingerprint: String { TestEnvironment.fingerprint((path as NSString).deletingLastPathComponent).joined(separator: "\n") }
    }

    /// `ln -sfn decoy path` as the cluster's OS user.
    static func swap(_ path: String, for decoy: Decoy, in cluster: TestCluster) throws {
        try ProcessRunner.checked("/bin/ln", ["-sfn", decoy.path, path], as: cluster.local.owner)
    }

    @Test func aKeySwappedBeforeItsModeIsFixed() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with { cluster in
            let certificate = try TestCertificate.make(in: cluster.local.root + "/tls", owner: cluster.local.owner)
            chmod(certificate.keyPath, 0o644)
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(certificate.certificatePath)'")
            try cluster.sql("ALTER SYSTEM SET ssl_key_file = '\(certificate.keyPath)'")
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            let decoy = try Decoy()
            let before = decoy.fingerprint
            let wizard = try WizardRun()
            let (child, log) = try wizard.startPaused(["apply", cluster.socketConninfo, "--yes", "--include-loopback"],
                                                      at: "before:fix_key_permissions")
            try Self.swap(certificate.keyPath, for: decoy, in: cluster)
            let (code, output) = try wizard.continueRun(child, log: log)
            #expect(code != 0, "the run stops: \(output)")
            #expect(output.contains("symbolic link"), "and says why: \(output)")
            #expect(decoy.fingerprint == before, "the decoy's bytes, mode and owner are unchanged")
            #expect(!output.contains(decoy.secret))
        }
    }

    @Test func aBackupSwappedBeforeRollback() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with { cluster in
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            let wizard = try WizardRun()
            let apply = try wizard.run(FaultInjectionTests.apply(cluster))
            #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
            let backup = try #require(try ApplySummary.decode(apply).backups[cluster.hbaFile])
            let candidate = cluster.hbaText
            let decoy = try Decoy()
            let before = decoy.fingerprint
            try Self.swap(backup, for: decoy, in: cluster)
            let rollback = try wizard.run(["rollback", cluster.socketConninfo])
            #expect(rollback.exitCode != 0, "the rollback stops for the operator: \(rollback.stdout)\(rollback.stderr)")
            #expect((rollback.stdout + rollback.stderr).contains("is not the file the run recorded"), "\(rollback.stdout)\(rollback.stderr)")
            #expect(cluster.hbaText == candidate && !cluster.hbaText.contains(decoy.secret), "the decoy's bytes never became pg_hba.conf")
            #expect(decoy.fingerprint == before)
        }
    }

    @Test func anIncludedFileSwappedForALinkIsReadAsTheServerWould() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with { cluster in
            try LocalCluster.writeOwned(cluster.dataDirectory + "/users.txt", "app\n", owner: cluster.local.owner, mode: 0o600)
            try cluster.writeHBA(FaultInjectionTests.hba + "host all @users.txt 10.1.0.0/16 scram-sha-256\n")
            try cluster.reload()
            let decoy = try Decoy()
            let before = decoy.fingerprint
            try Self.swap(cluster.dataDirectory + "/users.txt", for: decoy, in: cluster)
            let explain = try Wizard.run(["hba", "explain", cluster.hbaFile])
            let plan = try WizardRun().run(["plan", cluster.socketConninfo, "--json", "--include-loopback"])
            for output in [explain, plan] {
                let text = output.stdout + output.stderr
                #expect(!text.contains(decoy.secret), "the decoy's content is never shown: \(text)")
            }
            #expect((explain.stdout + explain.stderr).contains("Permission denied"), "read as the server would read it: \(explain.stdout)\(explain.stderr)")
            #expect(decoy.fingerprint == before)
        }
    }

    /// A directory on the key's path is the server user's link: the fix is
    /// refused (a later swap of the link would otherwise aim a rollback's
    /// chown at any file), and a rollback after the link points at a
    /// root-only directory touches nothing there.
    @Test func aDirectoryOnTheKeysPathThatIsALink() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with { cluster in
            let certificate = try TestCertificate.make(in: cluster.local.root + "/tls", owner: cluster.local.owner)
            chmod(certificate.keyPath, 0o644)
            try ProcessRunner.checked("/bin/ln", ["-sfn", cluster.local.root + "/tls", cluster.dataDirectory + "/ssl"], as: cluster.local.owner)
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = 'ssl/server.crt'")
            try cluster.sql("ALTER SYSTEM SET ssl_key_file = 'ssl/server.key'")
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            let wizard = try WizardRun()
            let apply = try wizard.run(["apply", cluster.socketConninfo, "--yes", "--include-loopback"])
            #expect(apply.exitCode != 0 && (apply.stdout + apply.stderr).contains("a symbolic link someone other than root could change"),
                    "\(apply.stdout)\(apply.stderr)")
            let decoy = try Decoy()
            try FileManager.default.copyItem(atPath: decoy.path, toPath: (decoy.path as NSString).deletingLastPathComponent + "/server.key")
            let before = decoy.fingerprint
            try ProcessRunner.checked("/bin/ln", ["-sfn", (decoy.path as NSString).deletingLastPathComponent, cluster.dataDirectory + "/ssl"],
                                      as: cluster.local.owner)
            _ = try wizard.run(["rollback", cluster.socketConninfo])
            #expect(decoy.fingerprint == before, "nothing in the root-only directory changed")
        }
    }

    /// `ssl_cert_file` (the server user's setting) names a file in a root-only
    /// directory: new certificates are not planned there, and nothing is written.
    /// (`ssl_ca_file`, the client CA, is never written at all: `ClientCATests`.)
    @Test func aCertificateSettingThatPointsIntoRootsDirectory() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with { cluster in
            let decoy = try Decoy()
            let before = decoy.fingerprint
            try cluster.sql("ALTER SYSTEM SET ssl_cert_file = '\(decoy.path)'")
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            let wizard = try WizardRun()
            let plan = try wizard.run(["plan", cluster.socketConninfo, "--include-loopback", "--create-certificates", "self-signed"])
            #expect(plan.exitCode == 11 && plan.stdout.contains(decoy.path) && plan.stdout.contains("only root may change"),
                    "blocked, naming the file: \(plan.stdout)\(plan.stderr)")
            let apply = try wizard.run(FaultInjectionTests.apply(cluster))
            #expect(apply.exitCode == 11, "\(apply.stdout)\(apply.stderr)")
            #expect(decoy.fingerprint == before)
        }
    }

    /// Escape sequences in a pg_hba.conf comment cannot rewrite the plan on
    /// root's terminal: control characters come out visible.
    @Test func escapeSequencesInTheFileAreShownNotObeyed() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA(FaultInjectionTests.hba + "# \u{1B}[2K\u{1B}[1Ahidden\n")
            try cluster.reload()
            let plan = try WizardRun().run(["plan", cluster.socketConninfo, "--include-loopback", "--create-certificates", "self-signed"])
            #expect(!plan.stdout.contains("\u{1B}") && plan.stdout.contains("\\x1b[2K"), "\(plan.stdout)")
        }
    }

    /// The same for `hba explain`, which writes its table line by line: a
    /// quoted name holding escape sequences (and a bidirectional override)
    /// comes out as visible escapes on the line of its rule.
    @Test func escapeSequencesInExplainedNamesAreShownNotObeyed() async throws {
        try await TestCluster.with { cluster in
            try cluster.writeHBA("local all all trust\nhost \"app\u{1B}[2K\u{202E}db\" all 10.0.0.0/8 scram-sha-256\n")
            let explain = try Wizard.run(["hba", "explain", "--server-version", String(cluster.version.major), cluster.hbaFile])
            try cluster.writeHBA("local all all trust\n")
            #expect(explain.exitCode == 0, "\(explain.stderr)")
            #expect(!explain.stdout.contains("\u{1B}") && !explain.stdout.contains("\u{202E}"), "\(explain.stdout)")
            #expect(explain.stdout.split(separator: "\n").contains { $0.contains("{app\\x1b[2K\\x202e") && $0.contains("10.0.0.0") },
                    "\(explain.stdout)")
        }
    }

    /// hba_file is the server user's setting: a pg_hba.conf that user does
    /// not own (here root's) is never rewritten by root.
    @Test func aPgHbaConfOfAnotherOwnerIsNotRewritten() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with { cluster in
            try cluster.writeHBA(FaultInjectionTests.hba)
            try cluster.reload()
            chown(cluster.hbaFile, 0, 0)
            chmod(cluster.hbaFile, 0o644)  // the server still reads it
            let before = try cluster.stateFingerprint()
            let apply = try WizardRun().run(FaultInjectionTests.apply(cluster))
            #expect(apply.exitCode != 0 && (apply.stdout + apply.stderr).contains("the wizard rewrites only the server user's pg_hba.conf"),
                    "\(apply.stdout)\(apply.stderr)")
            #expect(try cluster.stateFingerprint() == before, "nothing changed")
        }
    }
}
