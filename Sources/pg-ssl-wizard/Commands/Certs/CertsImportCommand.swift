import ArgumentParser
import Certificates
import ClusterFacts
import Executor
import Foundation

struct CertsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate a certificate signed for an earlier --csr and install it next to its key.",
        discussion: "Nothing is written unless the certificate matches the key, chains to --ca, is valid now and covers every --names entry.")

    @Option(help: "The signed certificate (may include intermediates).") var cert: String
    @Option(help: "The key the CSR was made with.") var key: String
    @Option(help: "The issuing CA certificate, installed as root.crt.") var ca: String?
    @Option(help: "Directory to install server.crt (and root.crt) into.") var out: String
    @Option(parsing: .upToNextOption, help: "Names clients use; each must be covered.") var names: [String] = []

    func run() throws {
        let owner = OSUser.owner(of: out) ?? OSUser.current
        let report = CertificateInspection(
            certificate: FileSnapshots.read(cert), key: FileSnapshots.read(key), ca: ca.map(FileSnapshots.read),
            serverUser: ServerUser(uid: owner.uid, name: owner.name), names: names, now: Date()).run()
        let problems = report.findings.filter { $0.severity == .error }.map(\.message)
        let writes = try failingWithUnknown { () throws -> [AtomicFileWriter.Outcome] in
            guard problems.isEmpty else { throw CertsCommandError.notImportable(problems) }
            let writer = AtomicFileWriter()
            let fileOwner = FileManager.default.fileExists(atPath: out + "/PG_VERSION") ? AtomicFileWriter.Owner(uid: owner.uid, gid: owner.gid) : nil
            var outcomes = [try writer.write(Array(FileManager.default.contents(atPath: cert)!), to: out + "/server.crt", mode: 0o644, owner: fileOwner)]
            if let ca {
                outcomes.append(try writer.write(Array(FileManager.default.contents(atPath: ca)!), to: out + "/root.crt", mode: 0o644, owner: fileOwner))
            }
            return outcomes
        }
        for outcome in writes {
            print("wrote \(outcome.path) sha256 \(outcome.sha256After)" + (outcome.backupPath.map { "  (previous kept as \($0))" } ?? ""))
        }
        print("if these are the server's files: SELECT pg_reload_conf(); (SSL files are re-read on reload)")
    }
}
