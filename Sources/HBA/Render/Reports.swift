/// `hba match` output.
public struct MatchReport: Encodable, Sendable {
    public var outcome: MatchResult.Outcome
    public var line_number: Int?
    public var file: String?
    public var auth_method: String?
    public var attempt: String
    public var trace: [MatchResult.Step]
    public var depends_on: [MatchResult.Step]
    public var file_would_load: Bool

    public init(_ result: MatchResult) {
        outcome = result.outcome
        line_number = result.lineNumber
        file = result.decidingRule?.file
        auth_method = result.decidingRule?.method.rawValue
        attempt = result.attempt.summary
        trace = result.trace.map(Self.masked)
        depends_on = result.unknowns.map(Self.masked)
        file_would_load = result.fileWouldLoad
    }

    static func masked(_ step: MatchResult.Step) -> MatchResult.Step {
        var step = step
        step.text = SecretMasking.line(step.text)
        return step
    }

    public var text: String {
        var lines: [String] = ["Attempt: \(attempt)"]
        switch outcome {
        case .accepted: lines.append("Outcome: line \(line_number!) decides (\(auth_method!))")
        case .certificateRequired:
            lines.append("Outcome: line \(line_number!) (\(auth_method!)) wants a client certificate this attempt does not present: authentication fails, and libpq's sslmode=prefer then retries without SSL")
        case .rejected: lines.append(line_number.map { "Outcome: rejected by line \($0) (reject)" } ?? "Outcome: rejected: no line matches (implicit reject)")
        case .depends:
            lines.append("Outcome: depends on facts not known here")
            for step in depends_on { lines.append("  line \(step.lineNumber): \(step.text)") }
            lines.append("  if none of these match: " + (line_number.map { "line \($0) (\(auth_method!))" } ?? "implicit reject"))
        }
        if !trace.isEmpty {
            lines.append("Earlier lines:")
            lines += trace.map { "  line \($0.lineNumber): \($0.text)" }
        }
        if !file_would_load { lines.append("Warning: the file has errors, so the server would not load it and would keep its old rules.") }
        return lines.joined(separator: "\n")
    }
}

/// `hba rewrite` output. Secrets are masked in the diff and in `new_text`
/// (a preview, not the file to install).
public struct RewriteReport: Encodable, Sendable {
    public struct File: Encodable, Sendable {
        public var path: String
        public var diff: String
        public var new_text: String
    }

    public var has_changes: Bool
    public var changes: [RewriteChange]
    public var files: [File]
    public var load_problem: String?

    public init(_ result: RewriteResult, loadProblem: String?) {
        has_changes = result.hasChanges
        changes = result.changes
        files = result.changedFiles.map { path in
            File(path: path,
                 diff: result.maskedDiff(of: path),
                 new_text: SecretMasking.text(result.text(of: path) ?? ""))
        }
        load_problem = loadProblem
    }

    public var text: String {
        var lines: [String] = []
        if let load_problem { lines.append("Warning: the file does not load as it is: \(load_problem)") }
        lines.append(has_changes ? files.map(\.diff).joined() : "No change needed.")
        if !changes.isEmpty {
            lines.append("Changes:")
            for change in changes {
                var line = "  line \(change.lineNumber): \(change.kind.rawValue): \(change.reason)"
                if let removes = change.removes { line += "; removes \(removes)" }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}

import ClusterFacts

extension RewriteResult {
    /// `diff -u` of one changed file with secret option values masked: what
    /// every report and plan shows (the rewritten bytes keep the secrets).
    public func maskedDiff(of path: String) -> String {
        UnifiedDiff.make(old: SecretMasking.text(String(decoding: originals[path] ?? [], as: UTF8.self)),
                         new: SecretMasking.text(text(of: path) ?? ""), oldName: path, newName: path + " (hostssl)")
    }
}
