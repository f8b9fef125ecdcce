import ClusterFacts
import Enforcement
import Foundation
import PostgresClient

/// `pg-ssl-wizard rollback`: puts a run's changes back, finished or
/// interrupted. Every backup with the run's stamp is restored (a kill may
/// have come before the record noted a write), pg_hba.conf first and
/// reloaded so no TCP client is shut out while SSL goes, then the
/// ALTER SYSTEM values and certificate files, reloaded again; then verified.
public enum RunRollback {
    public struct Result: Hashable, Sendable, Codable {
        public var run: String
        public var restoredFiles: [String]
        public var statements: [String]
        public var problems: [String]
    }

    public static func rollback(_ record: inout RunRecord, runner: EffectRunner, journal: Journal) throws -> Result {
        let plan = record.state.plan
        var result = Result(run: record.run, restoredFiles: [], statements: [], problems: [])
        func perform(_ effect: Effect) throws -> RunEvent {
            try journal.record(effect, before: runner.fingerprint(effect, plan: plan))
            let performed = runner.perform(effect, record: record)
            record.keep(performed.evidence)
            try journal.record(performed.event, after: performed.after, backup: performed.backup)
            return performed.event
        }
        func expect(_ event: RunEvent, _ what: String) {
            switch event {
            case .restored, .reloaded, .sqlSucceeded: break
            case .undoFailed(let why), .reloadNotTaken(let why), .sqlFailed(let why): result.problems.append("\(what): \(why)")
            default: result.problems.append("\(what): unexpected \(event)")
            }
        }

        runner.journal = journal
        try journal.note("rollback_started", ["stage": "\(record.state.stage)"])
        // Backups as the journal recorded them when they were made (a kill may have come before the record noted the write).
        let backups = journal.backups()
        var hbaRestored = false
        for write in plan.hbaWrites {
            runner.removeTornTemporaries(of: write.path)
            guard backups[write.path] != nil else { continue }
            let event = try perform(.restoreFile(path: write.path))
            expect(event, "restoring \(write.path)")
            if case .restored = event { result.restoredFiles.append(write.path); hbaRestored = true }
        }
        if hbaRestored { expect(try perform(.reload(.b)), "reloading the restored pg_hba.conf") }

        // Each rollback statement puts back the value from before the run, so repeating one is harmless.
        if !plan.sslRollback.isEmpty {
            expect(try perform(.runSQL(plan.sslRollback)), "ALTER SYSTEM")
            result.statements = plan.sslRollback
        }
        if plan.certificates != nil { expect(try perform(.restoreCertificates), "certificate files") }
        if !plan.sslRollback.isEmpty || plan.certificates != nil { expect(try perform(.reload(.a)), "reloading the settings") }

        result.problems += verify(record, restored: result.restoredFiles, backups: backups, connection: runner.connection,
                                  server: runner.context.server)
        // An interrupted run's staged candidates are not needed any more.
        for path in record.staged.values { HostFile.remove(path) }
        record.rolledBackAt = Date()
        try journal.note("rollback_finished", ["problems": result.problems.joined(separator: "; ")])
        return result
    }

    /// The files are their backups again and the SSL settings are live with their values from before the run.
    static func verify(_ record: RunRecord, restored: [String], backups: [String: AtomicFileWriter.Backup],
                       connection: Connection, server: ServerFacts) -> [String] {
        var problems: [String] = []
        for path in restored {
            guard let backup = backups[path] else { continue }
            if HostFile.sha256(path) != backup.sha256 { problems.append("\(path) does not match its backup \(backup.path)") }
        }
        guard let after = try? EvidenceReader.read(connection, server: server) else {
            return problems + ["cannot read the settings back to verify"]
        }
        for name in EffectRunner.sslSettings where record.before.settings[name] != after.settings[name] {
            problems.append("\(name) is '\(after.settings[name] ?? "")', before the run it was '\(record.before.settings[name] ?? "")'")
        }
        if let errors = try? PreReloadChecks.configurationErrors(connection), !errors.isEmpty {
            problems.append("configuration file errors: " + errors.joined(separator: "; "))
        }
        return problems
    }
}
