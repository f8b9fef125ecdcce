import Certificates
import ClusterFacts
import Enforcement
import Foundation
import HBA
import PostgresClient

/// Step 1 on disk: fix a key's mode and owner, or generate and install new
/// files (fresh keys, 0600 from their first byte), check what is there, and
/// put the previous files back.
extension EffectRunner {
    func fixKeyPermissions(_ fix: KeyPermissionFix) -> Performed {
        guard let owner = OSUser.named(fix.owner) else { return Performed(.certificatesFailed("no OS user \(fix.owner) to own \(fix.path)")) }
        // Mode first: the key is never readable by more people than before, even between the two calls.
        guard chmod(fix.path, mode_t(fix.mode)) == 0, chown(fix.path, owner.uid, owner.gid) == 0 else {
            return Performed(.certificatesFailed("cannot set \(fix.path) to \(String(fix.mode, radix: 8)) owned by \(fix.owner): \(String(cString: strerror(errno)))"))
        }
        return Performed(.certificatesWritten, after: Self.hashes([fix.path]))
    }

    func installCertificates(_ replacement: CertificateReplacement) -> Performed {
        guard let mode = GenerationMode(rawValue: replacement.mode == "ca-signed" ? "ca" : replacement.mode),
              let key = replacement.path(of: .serverKey), let certificate = replacement.path(of: .serverCertificate)
        else { return Performed(.certificatesFailed("the plan's certificate files are incomplete (mode \(replacement.mode))")) }
        let staging = "/pg-ssl-wizard-generated"
        let authorityDirectory = replacement.path(of: .authorityKey).map { ($0 as NSString).deletingLastPathComponent } ?? staging
        let where_: [String: String?] = [
            staging + "/server.key": key, staging + "/server.crt": certificate, staging + "/root.crt": replacement.path(of: .rootCertificate),
            authorityDirectory + "/ca.key": replacement.path(of: .authorityKey), authorityDirectory + "/ca.crt": replacement.path(of: .authorityCertificate),
        ]
        let request = CertificateRequest(dnsNames: replacement.names.filter { IPAddress(numeric: $0) == nil },
                                         ipAddresses: replacement.names.filter { IPAddress(numeric: $0) != nil })
        let writer = AtomicFileWriter(stamp: context.stamp)
        do {
            let generated = try GenerationPlan.make(mode, request: request,
                                                    layout: GenerationLayout(outputDirectory: staging, caDirectory: authorityDirectory, owner: nil),
                                                    existingCA: mode == .localCA ? GenerationPlan.existingAuthority(in: authorityDirectory) : nil,
                                                    now: Date())
            for file in generated.files {
                guard let path = where_[file.path] ?? nil,
                      let planned = replacement.files.first(where: { $0.path == path }) else { continue }
                let owner = planned.owner.flatMap(OSUser.named)
                let directory = (path as NSString).deletingLastPathComponent
                if !FileManager.default.fileExists(atPath: directory) {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                }
                removeTornTemporaries(of: path)
                try writer.write(file.contents, to: path, mode: mode_t(planned.mode), owner: owner.map { .init(uid: $0.uid, gid: $0.gid) })
            }
        } catch {
            return Performed(.certificatesFailed(operatorMessage(for: error)))
        }
        return Performed(.certificatesWritten, after: Self.hashes(replacement.files.map(\.path)))
    }

    /// The files the server will load after phase A's reload, inspected as PostgreSQL would.
    func checkCertificates(_ expected: String?, plan: RunPlan) -> Performed {
        do {
            let snapshot = try ServerInspector(connection: connection).snapshot()
            var files = ServerSSLFiles.from(snapshot)
            if case .create(let replacement) = plan.certificates {
                files.key = replacement.path(of: .serverKey) ?? files.key
                files.certificate = replacement.path(of: .serverCertificate) ?? files.certificate
                files.ca = replacement.settings["ssl_ca_file"] ?? files.ca
            }
            let facts = CertificateFactsReader.read(snapshot, files: files, tls: TLSObservation(availability: .notProbed("checking files")),
                                                    names: [], now: Date())
            guard facts.condition == .usable, facts.keyPermissionFix == nil, let fingerprint = facts.fingerprint else {
                let problems = facts.problems.isEmpty ? ["the key's mode or owner is still wrong"] : facts.problems
                return Performed(.certificatesFailed(problems.joined(separator: "; ")))
            }
            return Performed(.certificatesChecked(fingerprint: fingerprint))
        } catch {
            return Performed(.certificatesFailed(operatorMessage(for: error)))
        }
    }

    /// Puts back each certificate file this run replaced (from its backup)
    /// or the key's previous mode and owner. A file the run created where
    /// none was stays: nothing points at it once the settings are reset.
    func restoreCertificates(_ work: CertificateWork?) -> Performed {
        switch work {
        case .fixKeyPermissions(let fix):
            guard let owner = OSUser.named(fix.currentOwner) ?? OSUser.lookup(uid: 0),
                  chown(fix.path, owner.uid, owner.gid) == 0, chmod(fix.path, mode_t(fix.currentMode)) == 0 else {
                return Performed(.undoFailed("cannot put back the mode and owner of \(fix.path): \(String(cString: strerror(errno)))"))
            }
            return Performed(.restored(path: fix.path), after: Self.hashes([fix.path]))
        case .create(let replacement):
            for file in replacement.files {
                removeTornTemporaries(of: file.path)
                let backup = file.path + ".bak-" + context.stamp
                guard access(backup, F_OK) == 0 else { continue }
                do {
                    _ = try installer.restore(file.path, from: backup)
                } catch {
                    return Performed(.undoFailed(error.operatorMessage))
                }
            }
            return Performed(.restored(path: "certificates"), after: Self.hashes(replacement.files.map(\.path)))
        case nil:
            return Performed(.restored(path: "certificates"))
        }
    }
}
