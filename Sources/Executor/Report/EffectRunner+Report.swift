import Enforcement
import Foundation

extension EffectRunner {
    /// The audit report, JSON and Markdown, 0600 in the state directory.
    func writeReport(_ outcome: RunOutcome, record: inout RunRecord) -> Performed {
        record.after = try? EvidenceReader.read(connection, server: context.server)
        record.milestones.finishedAt = Date()
        let report = AuditReport(record, outcome: outcome)
        let base = reportDirectory + "/report-\(record.run)"
        do {
            let writer = AtomicFileWriter(stamp: context.stamp)
            try writer.write(report.json(), to: base + ".json", mode: 0o600, backup: nil)
            try writer.write(Array(report.markdown().utf8), to: base + ".md", mode: 0o600, backup: nil)
            return Performed(.reportWritten(path: base + ".md"))
        } catch {
            return Performed(.fileWriteFailed(path: base + ".md", reason: error.operatorMessage))
        }
    }
}
