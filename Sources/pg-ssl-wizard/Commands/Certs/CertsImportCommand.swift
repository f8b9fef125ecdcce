import ArgumentParser
import Certificates
import ClusterFacts
import Executor
import Foundation
import HostIO
import PlanningInputs

struct CertsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate a certificate signed for an earlier --csr and install it next to its key.",
        discussion: """
            Nothing is written unless the certificate matches the key, chains to --ca, is valid now \
            and covers every --names entry. A key kept elsewhere is installed as server.key too, so \
            the server never pairs the new certificate with another key.
            """)

    @Option(help: "The signed certificate (may include intermediates).") var cert: String
    @Option(help: "The key the CSR was made with.") var key: String
    @Option(help: "The issuing CA certificate, installed as root.crt.") var ca: String?
    @Option(help: "Directory to install server.crt (and root.crt) into.") var out: String
    @Option(parsing: .upToNextOption, help: "Names clients use; each must be covered.") var names: [String] = []

    func run() throws {
        let owner = OSUser.owner(of: out) ?? OSUser.current
        // Read once: what is validated is exactly what gets installed.
        let certificateFile = FileSnapshots.read(cert), keyFile = FileSnapshots.read(key), caFile = ca.map(FileSnapshots.read)
        let report = CertificateInspection(certificate: certificateFile, key: keyFile, ca: caFile,
                                           serverUser: owner.fileOwner, names: names, now: Date()).run()
        let problems = report.findings.filter { $0.severity == .error }.map(\.message)
        let writes = try failingWithUnknown { () throws -> [AtomicFileWriter.Outcome] in
            guard problems.isEmpty, let certificateBytes = certificateFile.bytes, let keyBytes = keyFile.bytes else {
                throw CertsCommandError.notImportable(problems)
            }
            let writer = AtomicFileWriter()
            let fileOwner = FileManager.default.fileExists(atPath: out + "/PG_VERSION") ? owner.fileOwner : nil
            var outcomes: [AtomicFileWriter.Outcome] = []
            let installedKey = out + "/server.key"
            if URL(fileURLWithPath: key).standardizedFileURL != URL(fileURLWithPath: installedKey).standardizedFileURL {
                outcomes.append(try writer.write(keyBytes, to: installedKey, mode: 0o600, owner: fileOwner))
            }
            outcomes.append(try writer.write(certificateBytes, to: out + "/server.crt", mode: 0o644, owner: fileOwner))
            if let caBytes = caFile?.bytes {
                outcomes.append(try writer.write(caBytes, to: out + "/root.crt", mode: 0o644, owner: fileOwner))
            }
            return outcomes
        }
        for outcome in writes {
            print("wrote \(outcome.path) sha256 \(outcome.sha256After)" + (outcome.backupPath.map { "  (previous kept as \($0))" } ?? ""))
        }
        print("if these are the server's files: SELECT pg_reload_conf(); (SSL files are re-read on reload)")
    }
}
