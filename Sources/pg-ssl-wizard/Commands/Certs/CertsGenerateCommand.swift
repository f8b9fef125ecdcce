import ArgumentParser
import Certificates
import ClusterFacts
import Executor
import Foundation
import HostIO
import PlanningInputs

struct CertsGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a CA-signed or self-signed server certificate, or a key and CSR.",
        discussion: """
            Keys are written 0600 from their first byte, owned by the data directory's owner when \
            --out is a data directory; every file is written atomically and an existing one is kept \
            as <file>.bak-<UTC time>. --dry-run shows each file (path, mode, owner, fingerprint) and \
            writes nothing.
            """)

    @Flag(help: "A local CA (kept in --ca-dir, outside the data directory) and a server certificate it signs.")
    var ca = false
    @Flag(help: "A self-signed server certificate that doubles as root.crt (development).")
    var selfSigned = false
    @Flag(help: "A key and a certificate signing request for an enterprise or public CA.")
    var csr = false

    @Option(help: "DNS name clients use (repeatable).") var dns: [String] = []
    @Option(help: "IP address clients use (repeatable).") var ip: [String] = []
    @Option(help: "Directory for server.key, server.crt, root.crt (or server.csr).") var out: String
    @Option(help: "Directory of the local CA (default: $XDG_STATE_HOME/pg-ssl-wizard/ca, else ~/.local/state/pg-ssl-wizard/ca).") var caDir: String?
    @Option(help: "rsa3072 (default) or ecdsa-p256.") var keyType: String = KeyKind.rsa3072.rawValue
    @Option(help: "Validity in days.") var days: Int = 397
    @Option(help: "Owner of the written files (default: the owner of --out when it is a data directory).") var owner: String?
    @Option(help: "Port for the printed connection strings (default: the running server's, when --out is its data directory).") var port: Int?
    @Flag(help: "Show what would be written; write nothing.") var dryRun = false

    func run() throws {
        let plan = try failingWithUnknown { try makePlan() }
        if dryRun {
            print("dry run: nothing written. Would write (fingerprints of this preview; a real run makes fresh keys):")
            plan.files.forEach { print("  " + $0.planLine) }
            return
        }
        let writer = AtomicFileWriter()
        let outcomes = try failingWithUnknown {
            try plan.files.map { file throws -> AtomicFileWriter.Outcome in
                try createDirectory(NSString(string: file.path).deletingLastPathComponent, secret: file.kind == .privateKey)
                let owner = file.owner.flatMap { OSUser.lookup(uid: $0.uid) }.map(\.fileOwner)
                return try writer.write(file.contents, to: file.path, mode: mode_t(file.mode), owner: owner)
            }
        }
        for (file, outcome) in zip(plan.files, outcomes) {
            print("wrote " + file.planLine + (outcome.backupPath.map { "  (previous kept as \($0))" } ?? ""))
        }
        if let root = plan.rootCertificatePath {
            // The port clients use is the server's: from --port, else the running server of --out (postmaster.pid).
            let port = port ?? Postmaster.port(dataDirectory: out)
            print("\nhand \(root) to clients; connection strings (sslmode=verify-full):")
            if port == nil { print("  (no port: --out is not a running server's data directory, so the strings leave it out; add port=N if the server does not listen on 5432, or pass --port)") }
            for strings in ClientConnectionStrings.make(names: plan.request.dnsNames + plan.request.ipAddresses, port: port,
                                                        database: "postgres", user: "postgres", rootCertificate: root) {
                print("  \(strings.libpq)\n  \(strings.uri)\n  \(strings.jdbc)")
            }
            if let note = ClientConnectionStrings.ipAddressNote(names: plan.request.ipAddresses) { print("note: " + note) }
            print("if these are the server's files: SELECT pg_reload_conf(); (SSL files are re-read on reload)")
        } else {
            print("\nsend \(out)/server.csr to your CA, then: pg-ssl-wizard certs import --cert SIGNED.crt --key \(out)/server.key --ca CA.crt --out \(out)")
        }
    }

    private func makePlan() throws -> GenerationPlan {
        let modes = [(ca, GenerationMode.localCA), (selfSigned, .selfSigned), (csr, .signingRequest)].filter(\.0)
        guard modes.count == 1 else { throw CertsCommandError.noMode }
        guard let kind = KeyKind(rawValue: keyType) else { throw GenerationError.crypto("unknown key type \(keyType): use rsa3072 or ecdsa-p256") }
        let caDirectory = caDir ?? StateDirectory.localAuthority()
        if modes[0].1 == .localCA, ServerSSLFiles.isInsideDataDirectory(caDirectory) {
            throw GenerationError.caInsideDataDirectory(caDirectory)
        }
        // The default CA directory is under the state directory's base, which may be shared:
        // made or checked as the state directory is before a CA there is reused or written
        // (a dry run makes nothing: it reuses a CA only from a directory that passes as it is).
        var reusable = true
        if modes[0].1 == .localCA, caDir == nil {
            if dryRun { reusable = StateDirectory(path: caDirectory).isTrusted } else { try StateDirectory(path: caDirectory).create() }
        }
        let fileOwner: OSUser? = try owner.map { name in
            guard let user = OSUser.named(name) else { throw CertsCommandError.unknownUser(name) }
            return user
        } ?? (FileManager.default.fileExists(atPath: out + "/PG_VERSION") ? OSUser.owner(of: out) : nil)
        let layout = GenerationLayout(outputDirectory: out, caDirectory: caDirectory,
                                      owner: fileOwner.map { FileOwner(name: $0.name, uid: $0.uid, gid: $0.gid) })
        let request = CertificateRequest(dnsNames: dns, ipAddresses: ip, keyKind: kind, validityDays: days)
        return try GenerationPlan.make(modes[0].1, request: request, layout: layout, existingCA: ca && reusable ? GenerationPlan.existingAuthority(in: caDirectory) : nil, now: Date())
    }

    private func createDirectory(_ path: String, secret: Bool) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: secret ? 0o700 : 0o755])
    }
}
