import ClusterFacts
import Foundation

/// Text and JSON for the `hba` commands.
public enum HBARender {
    /// JSON rows with the view's column names.
    public static func json<T: Encodable>(_ value: T) -> String {
        ReportJSON.text(value)
    }

    public static func json(_ rows: [HBAFileRule]) -> String { json(rows.map(ViewRow.init)) }

    public static func table(_ rows: [HBAFileRule]) -> String {
        textTable(rows).render(indent: "").joined(separator: "\n")
    }

    /// The table before it is rendered, for a caller that writes it line by line.
    public static func textTable(_ rows: [HBAFileRule]) -> TextTable {
        var table = FileRulesTable()
        for row in rows { table.append(row) }
        return table.textTable
    }

    /// The text table of view rows, filled a row at a time: `hba explain`
    /// adds each row as its line is parsed and keeps only the cells' bytes.
    public struct FileRulesTable {
        private var table: TextTable?
        private static let columns = ["LINE", "TYPE", "DATABASE", "USER_NAME", "ADDRESS", "NETMASK", "AUTH_METHOD", "OPTIONS", "ERROR"]

        public init() {}

        /// `hba explain`'s table of a file, made a line at a time: each line
        /// becomes its row's cells as soon as it is parsed, so the table's
        /// bytes are all that is kept of a large file. Also says why a reload
        /// would keep the old rules (nil when it would load).
        public static func of(path: String, bytes: [UInt8], context: ParseContext,
                              files: any FileSource) -> (table: TextTable, loadProblem: String?) {
            var numbering = FileRulesView.Numbering(syntax: context.syntax)
            var table = FileRulesTable()
            let problem = HBADocument.forEachLine(path: path, bytes: bytes, context: context, files: files) {
                table.append(numbering.shownRow(for: $0))
            }
            return (table.textTable, problem)
        }

        public mutating func append(_ row: HBAFileRule) {
            // The RULE and FILE columns are the view's from version 16 on,
            // when every row has a file.
            let withFiles = row.fileName != nil
            if table == nil { table = TextTable(header: withFiles ? ["RULE", "FILE"] + Self.columns : Self.columns) }
            table!.append { cells in
                if withFiles {
                    cells.cell(row.ruleNumber.map(String.init) ?? "")
                    cells.cell(row.fileName ?? "")
                }
                cells.cell(String(row.lineNumber))
                cells.cell(row.type ?? "")
                Self.list(row.database, into: &cells)
                Self.list(row.userName, into: &cells)
                cells.cell(row.address ?? "")
                cells.cell(row.netmask ?? "")
                cells.cell(row.authMethod ?? "")
                Self.list(row.options?.map(SecretMasking.option), into: &cells)
                cells.cell(row.error ?? "")
            }
        }

        public var textTable: TextTable {
            table ?? TextTable(header: Self.columns)
        }

        /// `{a,b}`, the view's array, or an empty cell for none.
        private static func list(_ values: [String]?, into cells: inout TextTable.RowWriter) {
            if let values {
                cells.append(byte: UInt8(ascii: "{"))
                for (index, value) in values.enumerated() {
                    if index > 0 { cells.append(byte: UInt8(ascii: ",")) }
                    cells.append(value)
                }
                cells.append(byte: UInt8(ascii: "}"))
            }
            cells.closeCell()
        }
    }

    /// A view row with the view's own column names.
    public struct ViewRow: Codable, Hashable, Sendable {
        public var rule_number: Int?
        public var file_name: String?
        public var line_number: Int
        public var type: String?
        public var database: [String]?
        public var user_name: [String]?
        public var address: String?
        public var netmask: String?
        public var auth_method: String?
        public var options: [String]?
        public var error: String?

        public init(_ row: HBAFileRule) {
            rule_number = row.ruleNumber
            file_name = row.fileName
            line_number = row.lineNumber
            type = row.type
            database = row.database
            user_name = row.userName
            address = row.address
            netmask = row.netmask
            auth_method = row.authMethod
            options = row.options?.map(SecretMasking.option)
            error = row.error
        }
    }
}
