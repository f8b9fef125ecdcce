/// One finding of the pg_hba.conf review.
public struct LintFinding: Hashable, Sendable, Codable {
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        case error, warning, info
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var severity: Severity
    /// A stable short name, e.g. `trust-over-tcp`.
    public var code: String
    public var file: String
    public var lineNumber: Int
    public var message: String
    /// One line saying what to do.
    public var fix: String
}
