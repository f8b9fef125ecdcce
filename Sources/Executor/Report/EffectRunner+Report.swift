import Enforcement
import Foundation
import HostIO

extension EffectRunner {
    /// The audit report, JSON and Markdown, 0600 in the state directory.
    func writeReport(_ outcome: RunOutcome, record: RunRecord) -> Performed {
        var evidence = EffectEvidence()
        evidence.after = try? EvidenceReader.read(connection, server: context.server)
        evidence.finishedAt = Date()
        // The report describes the record as it will be kept, this effect's evidence included.
        var reported = record
        reported.keep(evidence)
        let report = AuditReport(reported, outcome: outcome)
        let base = stateDirectory.reportBase(run: record.run)
        do {
            let writer = AtomicFileWriter(stamp: context.stamp)
            try writer.write(report.json(), to: base + ".json", mode: 0o600, backup: nil)
            try writer.write(Array(report.markdown().utf8), to: base + ".md", mode: 0o600, backup: nil)
            return Performed(.reportWritten(path: base + ".md"), evidence: evidence)
        } catch {
            return Performed(.fileWriteFailed(path: base + ".md", reason: error.operatorMessage), evidence: evidence)
        }
    }
}
