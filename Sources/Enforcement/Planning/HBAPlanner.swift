import ClusterFacts
import HBA

/// Phase B's file: the hostssl rewrite of the pg_hba.conf on disk, and the
/// checks the candidate must pass before any reload (docs/POSTGRES.md,
/// "Views: pg_hba_file_rules, pg_stat_ssl, pg_stat_gssapi" and
/// "Reload and its failure modes").
struct HBAPlan: Sendable {
    var current: HBADocument
    var candidate: HBADocument
    var result: RewriteResult
    /// Reads the files as they are on disk (included files too).
    var files: any FileSource
    /// The documents were rebuilt from `pg_hba_file_rules`: the file itself was not readable.
    var approximate: Bool
    var problems: [String]
    var notes: [String]
}

enum HBAPlanner {
    static func plan(_ input: PlanningInput) -> HBAPlan {
        let snapshot = input.snapshot
        var notes: [String] = []
        let path = snapshot.server.hbaFile
        let bytes: [UInt8]
        let files: any FileSource
        var approximate = false
        switch input.hba {
        case .readable(let contents, let source):
            bytes = contents
            files = source
        case .unreadable(let reason):
            bytes = Array(rebuild(snapshot.hbaRules ?? []).utf8)
            files = InMemoryFiles()
            approximate = true
            notes.append("\(reason): the rewrite below is computed from pg_hba_file_rules (quoting and comments are not visible there); apply the listed line changes to the file by hand")
        }
        let syntax = ServerSyntax(major: snapshot.server.version.major)
        let current = HBADocument(path: path, bytes: bytes,
                                  context: ParseContext(syntax: syntax, build: input.build, sslEnabled: snapshot.sslSettingOn, interfaceNames: input.interfaceNames), files: files)
        var policy = input.options.rewritePolicy
        // GSS-encrypted clients today, or gss lines: the rewrite keeps them in (hostssl never admits them).
        let gssInUse = snapshot.sessions.contains(where: \.gssEncrypted) || current.rules.contains { $0.method == .gss }
        if gssInUse && input.build.gssapi {
            policy.keepGSSEncrypted = true
            notes.append("GSS encryption is in use here (pg_stat_gssapi or gss lines): each converted line gets a hostgssenc twin, because hostssl never admits GSS-encrypted clients")
        }
        let result = HostsslRewriter.rewrite(current, policy: policy, files: files)
        let overlay = Overlay(base: files, rewritten: result.rewritten)
        let candidate = HBADocument(path: path, bytes: result.rewritten[path] ?? bytes,
                                    context: ParseContext(syntax: syntax, build: input.build, sslEnabled: true, interfaceNames: input.interfaceNames), files: overlay)
        return HBAPlan(current: current, candidate: candidate, result: result, files: files, approximate: approximate,
                       problems: problems(snapshot, current: current, candidate: candidate, approximate: approximate), notes: notes)
    }

    static func problems(_ snapshot: ClusterSnapshot, current: HBADocument, candidate: HBADocument, approximate: Bool) -> [String] {
        var problems: [String] = []
        if !approximate, let why = current.loadProblem {
            problems.append("the pg_hba.conf on disk would not load (\(why)): the server runs older rules than the file shows; fix the file first")
        }
        if let rows = snapshot.hbaRules {
            if rows.isEmpty {
                problems.append("pg_hba_file_rules has no rows: the file on disk contains no entries and would not load")
            }
            for row in rows where row.blocksReload {
                // The server's words can quote a piece of a secret: shown as our own parse's are.
                let error = row.error.map { current.shownServerError($0, lineNumber: row.lineNumber, file: row.fileName) }
                problems.append("pg_hba_file_rules reports line \(row.lineNumber)\(row.fileName.map { " of \($0)" } ?? ""): \(error ?? "the line fails without a message (an invalid option value)"); fix it first")
            }
        } else {
            problems.append("the role cannot read pg_hba_file_rules, so the server's own parse of the candidate cannot be checked before the reload; connect as a superuser")
        }
        if !approximate, let why = candidate.loadProblem {
            problems.append("the rewritten pg_hba.conf would not load: \(why)")
        }
        return problems
    }

    /// A pg_hba.conf rebuilt from the server's view, line numbers kept, for
    /// the guard when the file itself is out of reach. Rows of included
    /// files (16+) follow in rule order.
    static func rebuild(_ rows: [HBAFileRule]) -> String {
        var text = ""
        var line = 1
        for row in rows.sorted(by: { ($0.ruleNumber ?? $0.lineNumber, $0.lineNumber) < ($1.ruleNumber ?? $1.lineNumber, $1.lineNumber) }) {
            guard let type = row.type, let method = row.authMethod else { continue }
            while line < row.lineNumber { text += "\n"; line += 1 }
            var fields = [type, (row.database ?? ["all"]).joined(separator: ","), (row.userName ?? ["all"]).joined(separator: ",")]
            if type != "local" {
                fields.append(row.address.map { address in row.netmask.map { "\(address) \($0)" } ?? address } ?? "all")
            }
            fields.append(method)
            text += fields.joined(separator: " ") + "\n"
            line += 1
        }
        return text
    }
}

/// Reads the rewritten version of any file the rewrite changed.
struct Overlay: FileSource {
    let base: any FileSource
    let rewritten: [String: [UInt8]]

    func read(_ path: String) -> FileRead { rewritten[path].map { .contents($0) } ?? base.read(path) }
    func list(_ directory: String) -> Result<[String], FileListError> { base.list(directory) }
    func isRegularFile(_ path: String) -> Bool { rewritten[path] != nil || base.isRegularFile(path) }
}
