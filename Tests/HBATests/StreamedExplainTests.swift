import ClusterFacts
import HBA
import Testing
import TestSupport

/// `hba explain` parses each line and keeps only its row's cells, where the
/// other commands build the whole document: both must give the same rows,
/// the same table and the same verdict on whether the file would load.
struct StreamedExplainTests {
    static func streamed(path: String, bytes: [UInt8], context: ParseContext, files: any FileSource)
        -> (rows: [HBAFileRule], table: [String], problem: String?) {
        var numbering = FileRulesView.Numbering(syntax: context.syntax)
        var rows: [HBAFileRule] = []
        var table = HBARender.FileRulesTable()
        _ = HBADocument.forEachLine(path: path, bytes: bytes, context: context, files: files) { line in
            let row = numbering.shownRow(for: line)
            rows.append(row)
            table.append(row)
        }
        // What the command prints: the table and verdict made in one pass.
        let explained = HBARender.FileRulesTable.of(path: path, bytes: bytes, context: context, files: files)
        #expect(explained.table.render(indent: "") == table.textTable.render(indent: ""))
        return (rows, explained.table.render(indent: ""), explained.loadProblem)
    }

    static func expectSame(_ name: String, _ bytes: [UInt8], version: Int, files: [String: String]) {
        let context = ParseContext(syntax: ServerSyntax(major: version))
        let whole = HBADocument(path: "/corpus/" + name, bytes: bytes, context: context, files: InMemoryFiles(files))
        let streamed = Self.streamed(path: "/corpus/" + name, bytes: bytes, context: context, files: InMemoryFiles(files))
        let rows = FileRulesView.shownRows(of: whole)
        #expect(streamed.rows == rows, "\(name) v\(version)")
        #expect(streamed.table == HBARender.table(rows).split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                "\(name) v\(version)")
        #expect(streamed.problem == whole.loadProblem, "\(name) v\(version)")
    }

    @Test func theCorpusGivesTheDocumentsRowsTableAndVerdict() {
        for (name, bytes) in RoundTripTests.corpus {
            for version in [13, 15, 16, 18] {
                Self.expectSame(name, bytes, version: version, files: ["/corpus/users.list": "alice bob"])
            }
        }
    }

    /// Generated files, valid and broken, with includes and @-files.
    @Test func generatedFilesGiveTheDocumentsRowsTableAndVerdict() {
        // The files the generated lines mention, as the differential test writes them beside the server's file.
        let included = ["/corpus/users.txt": "# the team\nalice, bob\ncarol\n", "/corpus/dbs.txt": "db1 \"db 2\"\n",
                        "/corpus/extra.conf": "host all extra 10.9.0.0/16 md5\nhost bad\n",
                        "/corpus/conf.d/10-a.conf": "hostssl all a 10.1.0.0/16 scram-sha-256\n"]
        for seed in 0..<100 {
            for version in [14, 16] {
                var generator = ExplainFileGenerator(seed: UInt64(seed), version: version)
                Self.expectSame("generated-\(seed).conf", Array(generator.file().utf8), version: version, files: included)
            }
        }
    }

    /// The verdicts that do not come from a line: no entries at all, and
    /// more than one failing line.
    @Test func verdictsWithoutALineAndWithSeveralFailures() {
        let context = ParseContext(syntax: ServerSyntax(major: 16))
        let empty = Self.streamed(path: "/etc/pg/pg_hba.conf", bytes: Array("# nothing\n".utf8), context: context, files: InMemoryFiles())
        #expect(empty.problem == "configuration file \"/etc/pg/pg_hba.conf\" contains no entries")
        #expect(empty.table == ["LINE  TYPE  DATABASE  USER_NAME  ADDRESS  NETMASK  AUTH_METHOD  OPTIONS  ERROR"])
        let broken = Self.streamed(path: "/etc/pg/pg_hba.conf", bytes: Array("local all all trust\nhost all\nbogus\n".utf8),
                                   context: context, files: InMemoryFiles())
        #expect(broken.problem?.hasPrefix("line 2 of /etc/pg/pg_hba.conf: ") == true, "\(broken.problem ?? "nil")")
        #expect(broken.problem?.hasSuffix(" (and 1 more)") == true, "\(broken.problem ?? "nil")")
    }
}
