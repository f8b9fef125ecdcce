import Certificates
import ClusterFacts
import Enforcement
import Foundation
import HBA
import HostIO
import PlanningInputs
import PostgresClient

/// Step 1 on disk: fix a key's mode and owner, or generate and install new
/// files (fresh keys, 0600 from their first byte), check what is there, and
/// put the previous files back.
extension EffectRunner {
    func fixKeyPermissions(_ fix: KeyPermissionFix) -> Performed {
        guard let owner = OSUser.named(fix.owner) else { return Performed(.certificatesFailed("no OS user \(fix.owner) to own \(fix.path)")) }
        do {
            // Through a descriptor reached without a link anyone but root could change, only on the file the
            // plan saw (its owner and mode), and only where a file of that owner may be (CertificatePlacement).
            let key = try HostFile.open(fix.path)
            // Handed to another owner only with one name: a second one (a hard link the server's
            // user made to a file of root's, where the kernel lets them) would have that file
            // handed to them. A mode alone may change on a key with more (hard-linked backups).
            var links = stat()
            guard fstat(key.fd, &links) == 0 else { throw FileWriteError.system(path: fix.path, operation: "stat", errno: errno) }
            guard key.identity.uid == owner.uid || links.st_nlink == 1 else {
                return Performed(.certificatesFailed("\(fix.path) has \(links.st_nlink) names (hard links); a key is handed to \(owner.name) only with one: remove the others and run again"))
            }
            if let problem = Self.differsFromPlan(key.identity, owner: fix.currentOwner, mode: fix.currentMode, done: (owner.uid, fix.mode)) {
                return Performed(.certificatesFailed(problem))
            }
            if key.identity.uid != owner.uid, let problem = CertificatePlacement.problem(fix.path, owner: owner, serverUser: owner) {
                return Performed(.certificatesFailed(problem))
            }
            // Which file was changed, so that putting it back touches that file and no other.
            try journal?.note(Self.keyFixedNote, ["path": fix.path, "device": String(key.identity.device), "inode": String(key.identity.inode)])
            try key.setMode(mode_t(fix.mode), owner: owner.fileOwner)
        } catch {
            return Performed(.certificatesFailed(operatorMessage(for: error)))
        }
        return Performed(.certificatesWritten, after: Self.hashes([fix.path]))
    }

    func installCertificates(_ replacement: CertificateReplacement) -> Performed {
        guard let backups = stateBackupDirectory() else {
            return Performed(.certificatesFailed("cannot create \(stateDirectory.backupsDirectory) for the previous certificate files"))
        }
        guard let key = replacement.path(of: .serverKey), replacement.path(of: .serverCertificate) != nil
        else { return Performed(.certificatesFailed("the plan's certificate files are incomplete (mode \(replacement.mode.rawValue))")) }
        let mode: GenerationMode = replacement.mode == .localCA ? .localCA : .selfSigned
        // Generated where the plan puts them; each generated file goes to the planned file of its role.
        let serverDirectory = (key as NSString).deletingLastPathComponent
        let authorityDirectory = replacement.path(of: .authorityKey).map { ($0 as NSString).deletingLastPathComponent } ?? serverDirectory
        let request = CertificateRequest(dnsNames: replacement.names.filter { IPAddress(numeric: $0) == nil },
                                         ipAddresses: replacement.names.filter { IPAddress(numeric: $0) != nil })
        let writer = AtomicFileWriter(stamp: context.stamp)
        let serverUser = context.serverUser
        do {
            // The local CA and the root certificate are the wizard's own, under the state
            // directory's base, which may be shared: made or checked as the state directory
            // is, before a CA there is reused or anything is written there.
            for directory in Set(replacement.files.filter { $0.owner == nil }.map { ($0.path as NSString).deletingLastPathComponent }) {
                try StateDirectory(path: directory).create()
            }
            let generated = try GenerationPlan.make(mode, request: request,
                                                    layout: GenerationLayout(outputDirectory: serverDirectory, caDirectory: authorityDirectory, owner: nil),
                                                    existingCA: mode == .localCA ? GenerationPlan.existingAuthority(in: authorityDirectory) : nil,
                                                    now: Date())
            for file in generated.files {
                guard let role = Self.plannedRole(file.role), let planned = replacement.files.first(where: { $0.role == role }) else { continue }
                let path = planned.path
                let owner = planned.owner.flatMap(OSUser.named)
                // The wizard's own files (no owner) go to the directories made and checked above.
                if planned.owner != nil, let problem = CertificatePlacement.problem(path, owner: owner, serverUser: serverUser) {
                    return Performed(.certificatesFailed(problem))
                }
                removeTornTemporaries(of: path)
                // Previous keys go to the state directory, never stay in the data directory (base backups would carry them).
                try writer.write(file.contents, to: path, mode: mode_t(planned.mode), owner: owner?.fileOwner,
                                 backup: backupRequest(directory: backups))
            }
        } catch {
            return Performed(.certificatesFailed(operatorMessage(for: error)))
        }
        return Performed(.certificatesWritten, after: Self.hashes(replacement.files.map(\.path)))
    }

    /// The planned file a generated one is written to.
    static func plannedRole(_ role: PlannedFile.Role) -> CertificateReplacement.Role? {
        switch role {
        case .serverKey: return .serverKey
        case .serverCertificate: return .serverCertificate
        case .rootCertificate: return .rootCertificate
        case .authorityKey: return .authorityKey
        case .authorityCertificate: return .authorityCertificate
        case .signingRequest: return nil
        }
    }

    /// The files the server will load after phase A's reload, inspected as PostgreSQL would.
    func checkCertificates(_ expected: String?, plan: RunPlan) -> Performed {
        do {
            let snapshot = try ServerInspector(connection: connection).snapshot()
            var files = ServerSSLFiles.from(snapshot)
            if case .create(let replacement) = plan.certificates {
                files.key = replacement.path(of: .serverKey) ?? files.key
                files.certificate = replacement.path(of: .serverCertificate) ?? files.certificate
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
            guard let owner = OSUser.named(fix.currentOwner) ?? OSUser.lookup(uid: 0) else {
                return Performed(.undoFailed("no OS user \(fix.currentOwner) to own \(fix.path) again"))
            }
            // Nothing journalled: the fix never happened, so nothing is put back.
            guard let fixed = journalledKeyFix(fix.path) else { return Performed(.restored(path: fix.path)) }
            do {
                try HostFile.open(fix.path, expected: fixed).restoreOwnerThenMode(mode_t(fix.currentMode), owner: owner.fileOwner)
            } catch {
                return Performed(.undoFailed("cannot put back the mode and owner of \(fix.path): \(error.operatorMessage)"))
            }
            return Performed(.restored(path: fix.path), after: Self.hashes([fix.path]))
        case .create(let replacement):
            let recorded = journal?.backups() ?? [:]
            for file in replacement.files {
                removeTornTemporaries(of: file.path)
                // No recorded backup: the run created the file where none was.
                guard let backup = recorded[file.path] else { continue }
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

    /// `<state directory>/backups`, 0700, created without following a link.
    func stateBackupDirectory() -> String? {
        let path = stateDirectory.backupsDirectory
        if mkdir(path, 0o700) != 0 && errno != EEXIST { return nil }
        guard let fd = try? HostFile.openDirectory(path) else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_uid == geteuid(), fchmod(fd, 0o700) == 0 else { return nil }
        return path
    }

    /// Why the key at hand is not the one the plan inspected, or nil. A key
    /// already in the planned state (a resumed run) is accepted.
    static func differsFromPlan(_ identity: FileIdentity, owner: String, mode: UInt32, done: (uid: uid_t, mode: UInt32)) -> String? {
        if identity.uid == done.uid && identity.mode == done.mode & 0o7777 { return nil }
        let plannedOwner = OSUser.named(owner)?.uid ?? uid_t(owner) ?? uid_t.max
        guard identity.uid == plannedOwner, identity.mode == mode & 0o7777 else {
            return "the key changed since the plan (now mode \(String(identity.mode, radix: 8)) owned by uid \(identity.uid), planned from \(String(mode & 0o7777, radix: 8)) owned by \(owner)): nothing was changed; run plan again"
        }
        return nil
    }

    static let keyFixedNote = "key_permissions_fixed"

    /// The device and inode of the key this run re-moded, from the journal.
    func journalledKeyFix(_ path: String) -> FileIdentity? {
        guard let journal, let entries = try? Journal.read(journal.path) else { return nil }
        guard let entry = entries.last(where: { $0.kind == .note && $0.name == Self.keyFixedNote && $0.detail["path"] == path }),
              let device = entry.detail["device"].flatMap(UInt64.init), let inode = entry.detail["inode"].flatMap(UInt64.init) else { return nil }
        return FileIdentity(device: device, inode: inode)
    }
}
