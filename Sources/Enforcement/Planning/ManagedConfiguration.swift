import ClusterFacts
import HBA

/// pg_hba.conf written by a tool that will write it again (docs/POSTGRES.md,
/// "Managed configurations"): an edit here would be undone at the tool's next
/// run, and ALTER SYSTEM would fight the tool's own parameters. The plan
/// then changes nothing itself: it prints the change as the tool's own
/// configuration, and a later `plan` verifies the result.
public struct ManagedConfiguration: Hashable, Sendable, Codable {
    public enum Manager: String, Hashable, Sendable, Codable {
        case patroni
        case ansible
    }

    public var manager: Manager
    /// The line that says so, and its number.
    public var marker: String
    public var lineNumber: Int
    /// The change in the manager's terms (for Patroni, YAML for `patronictl edit-config`).
    public var patch: String

    /// Markers the tools write at the top of the files they own: Patroni's
    /// "It will be overwritten by Patroni!", Ansible's `ansible_managed` default.
    static let markers: [(Manager, String)] = [(.patroni, "overwritten by patroni"), (.ansible, "ansible managed")]

    /// The manager named in the comment lines of `text`, if any.
    static func detect(_ text: String) -> (Manager, String, Int)? {
        // Only the head of the file is looked at: a large file is not split whole.
        for (index, line) in text.split(separator: "\n", maxSplits: 200, omittingEmptySubsequences: false).prefix(200).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("#") else { continue }
            let lowered = trimmed.lowercased()
            if let (manager, _) = markers.first(where: { lowered.contains($0.1) }) { return (manager, trimmed, index + 1) }
        }
        return nil
    }

    static func plan(hbaText: String, candidate: HBADocument, settings: [(name: String, value: String)]) -> ManagedConfiguration? {
        guard let (manager, marker, line) = detect(hbaText) else { return nil }
        return ManagedConfiguration(manager: manager, marker: marker, lineNumber: line, patch: patch(manager, candidate: candidate, settings: settings))
    }

    /// Patroni: `postgresql.parameters` and `postgresql.pg_hba` (a list of
    /// lines, which replaces the file) for the cluster-wide configuration;
    /// Ansible: the rewritten lines for the template the role renders.
    static func patch(_ manager: Manager, candidate: HBADocument, settings: [(name: String, value: String)]) -> String {
        let rules = String(decoding: candidate.bytes, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        switch manager {
        case .patroni:
            var lines = ["# patronictl -c /etc/patroni/patroni.yml edit-config   (then: patronictl reload <cluster>)", "postgresql:"]
            if !settings.isEmpty {
                lines.append("  parameters:")
                lines += settings.map { "    \($0.name): \(quoted($0.value))" }
            }
            lines.append("  pg_hba:")
            lines += rules.map { "  - \(quoted($0))" }
            return lines.joined(separator: "\n")
        case .ansible:
            var lines = ["# In the Ansible template that renders pg_hba.conf: these lines, in this order"]
            lines += rules
            if !settings.isEmpty {
                lines.append("# and these settings in the role's postgresql.conf variables:")
                lines += settings.map { "#   \($0.name) = \(quoted($0.value))" }
            }
            return lines.joined(separator: "\n")
        }
    }

    public var problem: String {
        "pg_hba.conf is managed by \(manager == .patroni ? "Patroni" : "Ansible") (line \(lineNumber): \"\(marker)\"): an edit here, and ALTER SYSTEM, "
            + "would be undone or fought by it. Apply the change below through \(manager == .patroni ? "`patronictl edit-config`" : "the Ansible role")"
            + ", then run `pg-ssl-wizard plan` again: it verifies the result and plans only what is left (terminations, the proof)"
    }
}
