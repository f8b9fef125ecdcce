import ArgumentParser
import Certificates
import ClusterFacts
import Executor
import Foundation
import HostIO
import PlanningInputs
import PostgresClient

struct CertsInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Check certificate, key and CA against PostgreSQL's rules and verify-full clients.",
        discussion: """
            Files come from the server's settings (CONNINFO; this host must be the server's), a data \
            directory, or --cert/--key/--ca. Exit 0 when all is well, 1 on warnings (e.g. expiry \
            within 30 days), 2 on errors, 3 on bad input.
            """)

    @Argument(help: "libpq connection string or URI of the server whose files to inspect.")
    var conninfo: String?

    @Option(help: "Inspect the files of this data directory (server.crt, server.key, root.crt).")
    var dataDir: String?

    @Option(help: "Certificate file.") var cert: String?
    @Option(help: "Private key file.") var key: String?
    @Option(help: "CA file (root.crt).") var ca: String?

    @Option(help: "OS user the server runs as, for the key-file rules (default: the data directory's owner, else postgres).")
    var serverUser: String?

    @Option(parsing: .upToNextOption, help: "Host names and IP addresses clients use (default: this host's names and the listen addresses).")
    var names: [String] = []

    @Flag(help: "The key is meant to be unlocked by ssl_passphrase_command (with --cert/--key).")
    var passphraseCommand = false

    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let (files, defaultNames) = try failingWithUnknown { try locate() }
        let inspection = CertificateInspection(
            certificate: FileSnapshots.read(files.certificate), key: FileSnapshots.read(files.key),
            ca: files.ca.map(FileSnapshots.read), serverUser: files.serverUser,
            names: names.isEmpty ? defaultNames : names, passphrase: files.passphrase, now: Date())
        let report = inspection.run()
        let rotation = RotationPlan.make(for: report, dataDirectory: files.dataDirectory)
        print(json ? CertificateRender.json(report, rotation: rotation) : CertificateRender.text(report, rotation: rotation))
        switch report.worstSeverity {
        case .error?: throw ExitCode(2)
        case .warning?: throw ExitCode(1)
        default: return
        }
    }

    private func locate() throws -> (ServerSSLFiles, [String]) {
        var files: ServerSSLFiles
        if let cert, let key {
            let user = serverUser.flatMap(OSUser.named) ?? OSUser.named("postgres") ?? OSUser.current
            files = ServerSSLFiles(certificate: cert, key: key, ca: ca, serverUser: user.fileOwner,
                                   passphrase: PassphraseSetting(commandConfigured: passphraseCommand, supportsReload: passphraseCommand),
                                   dataDirectory: nil, listenNames: [])
        } else if cert != nil || key != nil {
            throw CertsCommandError.incompleteFiles
        } else if let dataDir {
            files = ServerSSLFiles.from(dataDirectory: dataDir)
        } else {
            let connection = try Connection.connect(operatorTarget(conninfo ?? ""))
            defer { connection.close() }
            files = ServerSSLFiles.from(try ServerInspector(connection: connection).snapshot())
        }
        if let serverUser {
            guard let user = OSUser.named(serverUser) else { throw CertsCommandError.unknownUser(serverUser) }
            files.serverUser = user.fileOwner
        }
        return (files, ServerSSLFiles.hostNames() + files.listenNames)
    }
}

/// Bad command lines of the certs commands.
enum CertsCommandError: Error, OperatorFacingError {
    case incompleteFiles
    case unknownUser(String)
    case noMode
    case notImportable([String])

    var operatorMessage: String {
        switch self {
        case .incompleteFiles: return "give both --cert and --key (and optionally --ca), or a CONNINFO, or --data-dir"
        case .unknownUser(let name): return "there is no OS user \(name): give the user the server runs as"
        case .noMode: return "choose what to generate: --ca (local CA + server certificate), --self-signed, or --csr"
        case .notImportable(let problems):
            return "the signed certificate cannot be used, nothing was written: " + problems.joined(separator: "; ")
        }
    }
}
