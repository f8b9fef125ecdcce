import ClusterFacts
import Enforcement
import Foundation
import HostIO

/// A run's journal: JSON lines, mode 0600 from creation, each line fsynced
/// before the effect it announces is carried out, so a crash leaves at most
/// one torn last line (ignored when read back).
public final class Journal: @unchecked Sendable {
    /// A journal is the one file of the state directory that grows with a
    /// run: read whole up to 1 GiB (the state directory is the wizard's
    /// user's alone), not `HostFile`'s 64 MiB for files others write.
    static let readLimit = 1 << 30

    public let path: String
    public let run: String
    private var descriptor: Int32
    private var sequence: Int

    public static func open(_ directory: StateDirectory, run: String) throws(JournalError) -> Journal {
        let path = directory.journalFile(run: run)
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        guard fchmod(fd, 0o600) == 0 else {
            Glibc.close(fd)
            throw .write(path: path, reason: String(cString: strerror(errno)))
        }
        // A line torn by a crash is cut off, so the next entry starts on its own line.
        let size = lseek(fd, 0, SEEK_END)
        if size > 0, let data = try? HostFile.read(path, limit: Self.readLimit), data.last != UInt8(ascii: "\n") {
            let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else {
                Glibc.close(fd)
                throw .write(path: path, reason: "cannot cut a torn last line: " + String(cString: strerror(errno)))
            }
        }
        let existing = (try? Journal.read(path).count) ?? 0
        return Journal(path: path, run: run, descriptor: fd, sequence: existing)
    }

    private init(path: String, run: String, descriptor: Int32, sequence: Int) {
        self.path = path
        self.run = run
        self.descriptor = descriptor
        self.sequence = sequence
    }

    @discardableResult
    public func record(_ effect: Effect, before: [String: String]? = nil, after: [String: String]? = nil,
                       backup: String? = nil) throws(JournalError) -> JournalEntry {
        let (name, detail) = JournalDescription.effect(effect)
        return try append(kind: .effect, name: name, detail: detail, before: before, after: after, backup: backup)
    }

    @discardableResult
    public func record(_ event: RunEvent, after: [String: String]? = nil, backup: String? = nil) throws(JournalError) -> JournalEntry {
        let (name, detail) = JournalDescription.event(event)
        return try append(kind: .event, name: name, detail: detail, after: after, backup: backup)
    }

    @discardableResult
    public func note(_ name: String, _ detail: [String: String] = [:]) throws(JournalError) -> JournalEntry {
        try append(kind: .note, name: name, detail: detail)
    }

    /// A backup, made and synced, before the file it keeps is replaced: its
    /// hash is what a later restore must find again.
    public func noteBackup(of target: String, _ backup: AtomicFileWriter.Backup) throws(JournalError) {
        var detail = ["path": target, "backup": backup.path, "sha256": backup.sha256]
        if let uid = backup.uid, let gid = backup.gid, let mode = backup.mode {
            detail["uid"] = String(uid)
            detail["gid"] = String(gid)
            detail["mode"] = String(mode, radix: 8)
        }
        try note(Self.backupNote, detail)
    }

    static let backupNote = "backup_made"

    /// The first backup the journal recorded for each file (the file as it
    /// was before the run); a journal that cannot be read has none.
    public func backups() -> [String: AtomicFileWriter.Backup] {
        var result: [String: AtomicFileWriter.Backup] = [:]
        for entry in (try? Journal.read(path)) ?? [] where entry.kind == .note && entry.name == Self.backupNote {
            guard let target = entry.detail["path"], let path = entry.detail["backup"], let sha256 = entry.detail["sha256"],
                  result[target] == nil else { continue }
            result[target] = AtomicFileWriter.Backup(path: path, sha256: sha256, uid: entry.detail["uid"].flatMap { uid_t($0) },
                                                     gid: entry.detail["gid"].flatMap { gid_t($0) },
                                                     mode: entry.detail["mode"].flatMap { UInt32($0, radix: 8) })
        }
        return result
    }

    func append(kind: JournalEntry.Kind, name: String, detail: [String: String], before: [String: String]? = nil,
                after: [String: String]? = nil, backup: String? = nil) throws(JournalError) -> JournalEntry {
        sequence += 1
        let entry = JournalEntry(run: run, sequence: sequence, kind: kind, name: name, detail: detail, before: before, after: after, backup: backup)
        let line: [UInt8]
        do {
            line = try StoredJSON.bytes(entry) + [UInt8(ascii: "\n")]
        } catch {
            throw .write(path: path, reason: "cannot encode the entry: \(error)")
        }
        var written = 0
        while written < line.count {
            let count = line[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .write(path: path, reason: String(cString: strerror(errno)))
            }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw .write(path: path, reason: "fsync: " + String(cString: strerror(errno))) }
        return entry
    }

    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }

    /// Every complete entry; a last line without its newline (torn by a crash) is left out.
    public static func read(_ path: String) throws(JournalError) -> [JournalEntry] {
        guard let data = try? HostFile.read(path, limit: Self.readLimit) else {
            throw .unreadable(path: path, line: 0, reason: "cannot read the file")
        }
        let decoder = StoredJSON.decoder()
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // After the last newline: nothing (a whole journal) or a torn line.
        if !lines.isEmpty { lines.removeLast() }
        var entries: [JournalEntry] = []
        for (index, line) in lines.enumerated() {
            do {
                entries.append(try decoder.decode(JournalEntry.self, from: Data(line)))
            } catch {
                throw .unreadable(path: path, line: index + 1, reason: "not a journal entry")
            }
        }
        return entries
    }
}
