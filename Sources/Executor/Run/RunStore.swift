import ClusterFacts
import Enforcement
import Foundation
import HostIO

/// A cluster's run records in its state directory: `run-<id>.json`, 0600,
/// replaced atomically before every change, when a step is verified and when
/// the driver stops (no backup: the journal is the history).
public struct RunStore: Sendable {
    public let directory: StateDirectory

    public init(_ directory: StateDirectory) { self.directory = directory }

    public func path(run: String) -> String { directory.recordFile(run: run) }

    public func save(_ record: RunRecord) throws(JournalError) {
        let bytes: [UInt8]
        do {
            // File contents never reach the record (see RunRecord).
            bytes = try StoredJSON.bytes(Self.withoutContents(record))
        } catch {
            throw .write(path: path(run: record.run), reason: "cannot encode the run: \(error)")
        }
        do {
            try AtomicFileWriter().write(bytes, to: path(run: record.run), mode: 0o600, backup: nil)
        } catch {
            throw .write(path: path(run: record.run), reason: error.operatorMessage)
        }
    }

    public func load(run: String) throws(JournalError) -> RunRecord {
        let file = path(run: run)
        guard let data = FileManager.default.contents(atPath: file) else { throw .unreadable(path: file, line: 0, reason: "cannot read the file") }
        do {
            return try StoredJSON.decoder().decode(RunRecord.self, from: data)
        } catch {
            throw .unreadable(path: file, line: 0, reason: "not a run record")
        }
    }

    /// Every run of this cluster, oldest first (ids are UTC timestamps).
    public func runs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap(StateDirectory.run(ofRecordFile:)).sorted()
    }

    public func latest() throws(JournalError) -> RunRecord? {
        guard let run = runs().last else { return nil }
        return try load(run: run)
    }

    static func withoutContents(_ record: RunRecord) -> RunRecord {
        var copy = record
        copy.state = record.state.mappingFileWrites { write in
            var stripped = write
            stripped.contents = []
            return stripped
        }
        return copy
    }

    /// Puts the planned contents back from the staged candidates, checking each against its hash.
    public static func withContents(_ record: RunRecord) throws(RunError) -> RunRecord {
        var copy = record
        do {
            copy.state = try record.state.mappingFileWrites { write throws -> FileWrite in
                guard let staged = record.staged[write.path], let bytes = try? HostFile.read(staged) else {
                    throw RunError.stagedCandidateMissing(path: write.path, staged: record.staged[write.path] ?? "(none)")
                }
                guard FileDigest.sha256(bytes) == record.candidateHashes[write.path] else {
                    throw RunError.stagedCandidateChanged(path: write.path, staged: staged)
                }
                var full = write
                full.contents = bytes
                return full
            }
        } catch let error as RunError {
            throw error
        } catch {
            throw .stagedCandidateMissing(path: "?", staged: "\(error)")
        }
        return copy
    }
}
