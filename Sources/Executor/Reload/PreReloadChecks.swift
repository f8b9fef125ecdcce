import ClusterFacts
import Enforcement
import Foundation
import HBA
import PlanningInputs
import PostgresClient
import SQLCatalogue

/// What must hold before any reload (docs/POSTGRES.md, "Reload and its failure modes"
/// and "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi"): no error in
/// any configuration file, and the pg_hba.conf on disk loads both by our
/// parse for the server's version and by the server's own (`pg_hba_file_rules`
/// re-reads the file on disk: at least one row, no error, no all-NULL row).
/// Each function returns the problems found, in words; empty means go.
public enum PreReloadChecks {
    public static func configurationErrors(_ connection: Connection) throws(PostgresError) -> [String] {
        try connection.query(SQLText.fileSettingErrors).rows.map { row throws(PostgresError) in
            "\(try row.string("sourcefile")) line \(try row.optionalString("sourceline") ?? "?"): \(try row.string("error"))"
        }
    }

    public static func candidateHBA(_ connection: Connection, hbaFile: String, version: ServerVersion, sslOn: Bool,
                                    files: any FileSource) throws(PostgresError) -> [String] {
        var problems: [String] = []
        var document: HBADocument?
        switch files.read(hbaFile) {
        case .contents(let bytes):
            let parsed = HBADocument(path: hbaFile, bytes: bytes,
                                     context: ParseContext(syntax: ServerSyntax(major: version.major), sslEnabled: sslOn,
                                                           interfaceNames: LocalInterfaces.names()), files: files)
            if let problem = parsed.loadProblem { problems.append("our parse: \(problem)") }
            document = parsed
        case .failure(let reason, _):
            problems.append("cannot read \(hbaFile): \(reason)")
        }
        return problems + (try serverParseProblems(connection, version: version, document: document))
    }

    /// The server's own parse of the pg_hba.conf on disk, in words: no rows,
    /// errors (the ssl-off warning aside) and silent all-NULL failures.
    /// The server's words can quote a piece of a secret: they are shown as
    /// our own parse's are (`document`, the same file as read here, when at hand).
    public static func serverParseProblems(_ connection: Connection, version: ServerVersion,
                                           document: HBADocument? = nil) throws(PostgresError) -> [String] {
        var problems: [String] = []
        let count = try connection.query(SQLText.hbaRuleCount).rows.first?.int32("n") ?? 0
        if count == 0 { problems.append("pg_hba_file_rules has no rows: the file contains no entries and would not load") }
        for row in try connection.query(SQLText.hbaFileRulesProblems(version)).rows {
            let line = try row.optionalString("line_number") ?? "?"
            let file = version.major >= 16 ? (try row.optionalString("file_name")).map { " of \($0)" } ?? "" : ""
            let shown = try row.optionalString("error").map { error in
                document?.shownServerError(error, lineNumber: Int(line) ?? 0, file: version.major >= 16 ? try? row.optionalString("file_name") : nil)
                    ?? HBADocument.shownServerError(error)
            }
            let error = shown ?? "the line fails without a message (an invalid option value such as clientcert)"
            problems.append("pg_hba_file_rules line \(line)\(file): \(error)")
        }
        return problems
    }
}
