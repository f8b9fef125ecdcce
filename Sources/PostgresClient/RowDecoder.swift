/// Decodes a `Row` into a `Decodable` type: each property reads the column
/// of the same name in snake_case (`applicationName` <- `application_name`).
/// Supports String, Int, Int32, Double, Bool, [String] / [String?] (arrays)
/// and optionals of these; a missing or NULL column decodes as nil.
struct RowDecoder: Decoder {
    let row: Row
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([String].self, .init(codingPath: codingPath, debugDescription: "rows decode as keyed values"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(String.self, .init(codingPath: codingPath, debugDescription: "rows decode as keyed values"))
    }

    static func columnName(for key: String) -> String {
        var name = ""
        for character in key {
            if character.isUppercase {
                name.append("_")
                name.append(contentsOf: character.lowercased())
            } else {
                name.append(character)
            }
        }
        return name
    }
}

private struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: Row
    var codingPath: [any CodingKey] = []
    var allKeys: [Key] { [] }

    private func column(_ key: Key) -> String { RowDecoder.columnName(for: key.stringValue) }

    func contains(_ key: Key) -> Bool { row.hasColumn(column(key)) }

    func decodeNil(forKey key: Key) throws -> Bool { row[column(key)] == nil }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try row.bool(column(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try row.string(column(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try row.int(column(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try row.int32(column(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        guard let value = try row.optionalDouble(column(key)) else {
            throw PostgresError.decoding(column: column(key), value: nil, expected: "number")
        }
        return value
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let name = column(key)
        if type == [String].self {
            guard let elements = try row.optionalTextArray(name) else {
                throw PostgresError.decoding(column: name, value: nil, expected: "text[]")
            }
            return elements.map { $0 ?? "" } as! T
        }
        if type == [String?].self {
            guard let elements = try row.optionalTextArray(name) else {
                throw PostgresError.decoding(column: name, value: nil, expected: "text[]")
            }
            return elements as! T
        }
        throw PostgresError.decoding(column: name, value: row[name], expected: "\(T.self)")
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw PostgresError.decoding(column: column(key), value: nil, expected: "flat value")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw PostgresError.decoding(column: column(key), value: nil, expected: "flat value")
    }

    func superDecoder() throws -> any Decoder { RowDecoder(row: row) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoder(row: row) }
}
