import CLibPQ

/// The rows of a statement, in text format, copied out of the PGresult.
public struct QueryResult: Sendable, Hashable {
    public let columns: [String]
    public let rows: [Row]
    /// The command tag, e.g. "ALTER SYSTEM" or "SELECT 3".
    public let commandTag: String

    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        let rowCount = Int(PQntuples(result))
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) != 0 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(Row(values: values, index: index))
        }
        self.columns = names
        self.rows = rows
        self.commandTag = String(cString: PQcmdStatus(result))
    }

    public var first: Row? { rows.first }

    /// Decodes every row into `T`, matching coding keys to column names.
    public func decode<T: Decodable>(_ type: T.Type) throws(PostgresError) -> [T] {
        var decoded: [T] = []
        for row in rows { decoded.append(try row.decode(type)) }
        return decoded
    }
}

/// One row; typed accessors fail with `.decoding` naming the column.
public struct Row: Sendable, Hashable {
    let values: [String?]
    let index: [String: Int]

    public subscript(_ column: String) -> String? {
        guard let position = index[column] else { return nil }
        return values[position]
    }

    public func hasColumn(_ column: String) -> Bool { index[column] != nil }

    public func string(_ column: String) throws(PostgresError) -> String {
        guard let value = self[column] else { throw .decoding(column: column, value: nil, expected: "text") }
        return value
    }

    public func optionalString(_ column: String) throws(PostgresError) -> String? { self[column] }

    public func int(_ column: String) throws(PostgresError) -> Int {
        guard let value = try optionalInt(column) else { throw .decoding(column: column, value: nil, expected: "integer") }
        return value
    }

    public func optionalInt(_ column: String) throws(PostgresError) -> Int? {
        guard let text = self[column] else { return nil }
        guard let value = Int(text) else { throw .decoding(column: column, value: text, expected: "integer") }
        return value
    }

    public func int32(_ column: String) throws(PostgresError) -> Int32 {
        let value = try int(column)
        guard let narrow = Int32(exactly: value) else { throw .decoding(column: column, value: String(value), expected: "int4") }
        return narrow
    }

    public func bool(_ column: String) throws(PostgresError) -> Bool {
        guard let value = try optionalBool(column) else { throw .decoding(column: column, value: nil, expected: "boolean") }
        return value
    }

    public func optionalBool(_ column: String) throws(PostgresError) -> Bool? {
        switch self[column] {
        case nil: return nil
        case "t"?: return true
        case "f"?: return false
        case let other?: throw .decoding(column: column, value: other, expected: "boolean")
        }
    }

    public func optionalDouble(_ column: String) throws(PostgresError) -> Double? {
        guard let text = self[column] else { return nil }
        guard let value = Double(text) else { throw .decoding(column: column, value: text, expected: "number") }
        return value
    }

    /// A one-dimensional text array (`{a,"b c",NULL}`); NULL elements are kept as nil.
    public func optionalTextArray(_ column: String) throws(PostgresError) -> [String?]? {
        guard let text = self[column] else { return nil }
        guard let elements = PostgresArrayLiteral.parse(text) else {
            throw .decoding(column: column, value: text, expected: "text[]")
        }
        return elements
    }

    public func decode<T: Decodable>(_ type: T.Type) throws(PostgresError) -> T {
        do {
            return try T(from: RowDecoder(row: self))
        } catch let error as PostgresError {
            throw error
        } catch {
            throw .decoding(column: "?", value: nil, expected: "\(T.self): \(error)")
        }
    }
}

/// A value sent as a statement parameter, in PostgreSQL's text format.
public protocol PostgresParameter: Sendable {
    var postgresText: String { get }
}

extension String: PostgresParameter { public var postgresText: String { self } }
extension Int: PostgresParameter { public var postgresText: String { String(self) } }
extension Int32: PostgresParameter { public var postgresText: String { String(self) } }
extension Double: PostgresParameter { public var postgresText: String { String(self) } }
extension Bool: PostgresParameter { public var postgresText: String { self ? "t" : "f" } }
extension Array: PostgresParameter where Element == Int32 {
    /// An int4[] literal, e.g. for `pid = ANY($1)`.
    public var postgresText: String { "{" + map(String.init).joined(separator: ",") + "}" }
}

/// A bigint[] literal whose elements may be NULL, e.g. backend starts aligned
/// with a pid array (NULL where a start is not known).
public struct OptionalInt64Array: PostgresParameter, Hashable {
    public var elements: [Int64?]
    public init(_ elements: [Int64?]) { self.elements = elements }
    public var postgresText: String { "{" + elements.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}" }
}
