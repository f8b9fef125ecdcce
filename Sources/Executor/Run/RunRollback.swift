import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PostgresClient

/// `pg-ssl-wizard rollback`: puts a run's changes back, finished or
/// interrupted. The order is the state machine's (`rollbackRequested`,
/// `UndoOrder` in Enforcement), carried out by the run's own driver and
/// journalled like every other effect; this file holds what only the
/// rollback needs: its opening, its verification and its result.
public enum RunRollback {
    public struct Result: Hashable, Sendable, Codable {
        public var run: String
        public var restoredFiles: [String]
        public var statements: [String]
        public var problems: [String]
    }

    /// The result the command prints, read off the run's state once the rollback is over.
    static func result(_ record: RunRecord) -> Result {
        let rollback = record.state.operatorRollback
        let unverified = rollback?.verified == true ? [] : ["the rollback stopped before it was verified: run `pg-ssl-wizard rollback` again"]
        return Result(run: record.run, restoredFiles: rollback?.restoredFiles ?? [], statements: record.state.plan.sslRollback,
                      problems: (rollback?.problems ?? []) + unverified)
    }
}

extension RunDriver {
    /// Undoes the whole run through the state machine: every planned
    /// pg_hba.conf with a backup in the journal (a kill may have come before
    /// the record noted a write), reloaded first so no TCP client is shut out
    /// while SSL goes; then the ALTER SYSTEM values and certificate files,
    /// loaded again; then verified.
    public func rollBack() throws -> RunRollback.Result {
        try journal.note("rollback_started", ["stage": "\(record.state.stage)"])
        let backups = journal.backups()
        for write in record.state.plan.hbaWrites { runner.removeTornTemporaries(of: write.path) }
        pending = []
        try send(.rollbackRequested(backedUp: record.state.plan.hbaWrites.map(\.path).filter { backups[$0] != nil }))
        try run()
        return RunRollback.result(record)
    }
}

extension EffectRunner {
    /// The files are their backups again and the SSL settings are live with their values from before the run.
    func verifyRollback(restored: [String], record: RunRecord) -> Performed {
        var problems: [String] = []
        let backups = journal?.backups() ?? [:]
        for path in restored {
            guard let backup = backups[path] else { continue }
            if HostFile.sha256(path) != backup.sha256 { problems.append("\(path) does not match its backup \(backup.path)") }
        }
        guard let after = try? EvidenceReader.read(connection, server: context.server) else {
            return Performed(.rollbackVerified(problems: problems + ["cannot read the settings back to verify"]))
        }
        for name in Self.sslSettings where record.before.settings[name] != after.settings[name] {
            problems.append("\(name) is '\(after.settings[name] ?? "")', before the run it was '\(record.before.settings[name] ?? "")'")
        }
        if let errors = try? PreReloadChecks.configurationErrors(connection), !errors.isEmpty {
            problems.append("configuration file errors: " + errors.joined(separator: "; "))
        }
        return Performed(.rollbackVerified(problems: problems))
    }
}
