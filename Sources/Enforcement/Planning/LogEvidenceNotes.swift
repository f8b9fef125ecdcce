import ClusterFacts
import Foundation

/// What the plan says about the server's log: what was read, and what limited it.
enum LogEvidenceNotes {
    static func notes(_ log: ConnectionLogEvidence) -> [String] {
        var notes: [String] = []
        if !log.files.isEmpty {
            let plain = log.clients.filter { $0.encryption == .plain && $0.isTCP }.count
            notes.append("server log: \(log.connectionLines) connection line(s) read from \(log.files.joined(separator: ", "))"
                         + (log.since.map { " since \(JSONTime.text($0))" } ?? "")
                         + "; \(log.clients.count) client(s), \(plain) of them in plain text over TCP (`pg-ssl-wizard clients` lists them)")
        }
        return notes + log.limits.map { "server log: " + $0.text }
    }
}
