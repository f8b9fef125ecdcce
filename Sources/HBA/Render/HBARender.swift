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
        let hasFiles = rows.contains { $0.fileName != nil }
        var header = ["LINE", "TYPE", "DATABASE", "USER_NAME", "ADDRESS", "NETMASK", "AUTH_METHOD", "OPTIONS", "ERROR"]
        if hasFiles { header = ["RULE", "FILE"] + header }
        let body = rows.map { row -> [String] in
            var cells = [String(row.lineNumber), row.type ?? "", list(row.database), list(row.userName), row.address ?? "",
                         row.netmask ?? "", row.authMethod ?? "", list(row.options?.map(SecretMasking.option)), row.error ?? ""]
            if hasFiles { cells = [row.ruleNumber.map(String.init) ?? "", row.fileName ?? ""] + cells }
            return cells
        }
        return TextTable(header: header, rows: body)
    }

    static func list(_ values: [String]?) -> String { values.map { "{" + $0.joined(separator: ",") + "}" } ?? "" }

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
