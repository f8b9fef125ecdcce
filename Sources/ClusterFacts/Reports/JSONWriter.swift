import Foundation

/// JSON text written straight from `Encodable` values: the bytes
/// `JSONEncoder` writes with `.sortedKeys` and `.withoutEscapingSlashes`
/// (pretty or compact, keys as declared or in snake_case, times by a
/// function of the caller's), without its cost. `JSONEncoder` asks the
/// runtime of every value it meets whether it is a `Date`, `Data`, `URL`,
/// a dictionary with `String` keys... and each first question about a type
/// is a scan of every protocol conformance in the program: about 30 of them
/// for one `status --json`, most of its 2-3 ms of encoding (docs/DESIGN.md,
/// "Where status spends its time"). Here those types are told apart by
/// identity, which asks the runtime nothing. JSONWriterTests hold it to
/// JSONEncoder's bytes.
public struct JSONWriter: Sendable {
    public enum Layout: Sendable { case pretty, compact }
    public enum Keys: Sendable {
        case asDeclared
        /// As `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase`, which leaves
        /// the keys of a dictionary as they are.
        case snakeCase
    }

    public var layout: Layout
    public var keys: Keys
    /// The text of a time, or an error for one that has none.
    public var time: @Sendable (Date) throws -> String

    public init(layout: Layout, keys: Keys, time: @escaping @Sendable (Date) throws -> String) {
        self.layout = layout
        self.keys = keys
        self.time = time
    }

    public func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try bytes(value), as: UTF8.self)
    }

    public func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let node = try ValueEncoder(writer: self, codingPath: []).box(value)
        var output: [UInt8] = []
        output.reserveCapacity(4096)
        try write(node, into: &output, depth: 0)
        return output
    }

    /// JSONEncoder's limit: deeper values are refused, not written on an exhausted stack.
    static let maximumDepth = 512

    // MARK: - Writing

    private func write(_ node: JSONNode, into output: inout [UInt8], depth: Int) throws {
        guard depth <= Self.maximumDepth else {
            throw EncodingError.invalidValue(depth, .init(codingPath: [], debugDescription: "Too many nested arrays or dictionaries"))
        }
        switch node {
        case .null: output += "null".utf8
        case .bool(let value): output += (value ? "true" : "false").utf8
        case .number(let text): output += text.utf8
        case .string(let text): Self.writeString(text, into: &output)
        case .deferred(let slot): try write(slot.node ?? .object(JSONObject()), into: &output, depth: depth)
        case .array(let array):
            output.append(UInt8(ascii: "["))
            if layout == .pretty && array.elements.isEmpty { output += "\n\n".utf8; indent(depth, into: &output) }
            for (index, element) in array.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                if layout == .pretty { output.append(UInt8(ascii: "\n")); indent(depth + 1, into: &output) }
                try write(element, into: &output, depth: depth + 1)
            }
            if layout == .pretty && !array.elements.isEmpty { output.append(UInt8(ascii: "\n")); indent(depth, into: &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            if layout == .pretty && object.members.isEmpty { output += "\n\n".utf8; indent(depth, into: &output) }
            // JSONEncoder's .sortedKeys order: the keys' UTF-8 bytes.
            let names = object.members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, name) in names.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                if layout == .pretty { output.append(UInt8(ascii: "\n")); indent(depth + 1, into: &output) }
                Self.writeString(name, into: &output)
                output += (layout == .pretty ? " : " : ":").utf8
                try write(object.members[name]!, into: &output, depth: depth + 1)
            }
            if layout == .pretty && !object.members.isEmpty { output.append(UInt8(ascii: "\n")); indent(depth, into: &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private func indent(_ depth: Int, into output: inout [UInt8]) {
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    /// Quotes and backslashes escaped, control characters as \b \f \n \r \t
    /// or \u00XX; everything else, "/" and non-ASCII included, as it is.
    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += "\\\"".utf8
            case UInt8(ascii: "\\"): output += "\\\\".utf8
            case 0x08: output += "\\b".utf8
            case 0x0C: output += "\\f".utf8
            case 0x0A: output += "\\n".utf8
            case 0x0D: output += "\\r".utf8
            case 0x09: output += "\\t".utf8
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output += "\\u00".utf8
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    // MARK: - Keys

    func key(_ key: some CodingKey, of containerKind: ContainerKind) -> String {
        guard case .snakeCase = keys, containerKind == .declared else { return key.stringValue }
        return Self.snakeCase(key.stringValue)
    }

    /// JSONEncoder's conversion: words start at an uppercase letter, a run of
    /// capitals before a lowercase letter is a word but for its last capital
    /// ("myURLProperty" -> "my_url_property", "TLSVersion" -> "t_ls_version"),
    /// each word lowercased, joined by "_".
    static func snakeCase(_ name: String) -> String {
        name.utf8.allSatisfy({ $0 < 0x80 }) ? asciiSnakeCase(Array(name.utf8)) : unicodeSnakeCase(name)
    }

    /// Where the words of a name are, by JSONEncoder's rule, in any kind of units.
    static func words<Unit>(_ units: [Unit], isUpper: (Unit) -> Bool, isLower: (Unit) -> Bool) -> [Range<Int>] {
        guard !units.isEmpty else { return [] }
        var words: [Range<Int>] = []
        var wordStart = 0
        var searchStart = 1
        while let upper = (searchStart..<units.count).first(where: { isUpper(units[$0]) }) {
            words.append(wordStart..<upper)
            guard let lower = (upper..<units.count).first(where: { isLower(units[$0]) }) else {
                wordStart = upper
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
            searchStart = lower + 1
        }
        words.append(wordStart..<units.count)
        return words
    }

    static func unicodeSnakeCase(_ name: String) -> String {
        let scalars = Array(name.unicodeScalars)
        let ranges = words(scalars, isUpper: { scalar in
            let category = scalar.properties.generalCategory
            return category == .uppercaseLetter || category == .titlecaseLetter
        }, isLower: { $0.properties.generalCategory == .lowercaseLetter })
        return ranges.map { range in
            var word = String.UnicodeScalarView()
            word.append(contentsOf: scalars[range])
            return String(word).lowercased()
        }.joined(separator: "_")
    }

    /// The same words, found in bytes: every Swift name the wizard encodes is
    /// ASCII, and the general category of each scalar cost most of a report's
    /// encoding when looked up.
    static func asciiSnakeCase(_ bytes: [UInt8]) -> String {
        func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 4)
        for range in words(bytes, isUpper: isUpper, isLower: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            if range.lowerBound > 0 { output.append(UInt8(ascii: "_")) }
            for byte in bytes[range] { output.append(isUpper(byte) ? byte + 32 : byte) }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Whose keys a keyed container holds: a type's declared ones, or a dictionary's.
/// JSONEncoder converts the keys of a dictionary keyed by a
/// `CodingKeyRepresentable` type that is not `String`; the writer keeps
/// them, as for `String`: the wizard encodes no such dictionary.
enum ContainerKind: Equatable {
    case declared, dictionary

    /// Swift's dictionaries encode through keys of this standard library type:
    /// JSONEncoder does not convert theirs, so neither does the writer.
    init<Key: CodingKey>(_ type: Key.Type) {
        self = _typeName(type, qualified: true) == "Swift._DictionaryCodingKey" ? .dictionary : .declared
    }
}

/// The value tree, built before it is written (sorted keys need an object's
/// every member first). Arrays and objects are references: a container
/// handed out fills them later.
enum JSONNode {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array(JSONArray)
    case object(JSONObject)
    /// A super encoder's value, known only when it is written.
    case deferred(JSONSlot)
}

final class JSONArray { var elements: [JSONNode] = [] }
final class JSONObject { var members: [String: JSONNode] = [:] }

/// Where one value goes: an encoder fills it once (or hands out one container, possibly asked for twice).
final class JSONSlot { var node: JSONNode? }

/// The Encoder handed to each value's `encode(to:)`.
struct ValueEncoder: Encoder {
    let writer: JSONWriter
    let codingPath: [any CodingKey]
    let slot = JSONSlot()
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(writer: JSONWriter, codingPath: [any CodingKey]) {
        self.writer = writer
        self.codingPath = codingPath
    }

    /// The value's node. Dates, data, URLs and decimals as JSONEncoder writes them;
    /// a value that encoded nothing is an empty object, as there.
    func box<T: Encodable>(_ value: T) throws -> JSONNode {
        if T.self == Date.self { return .string(try writer.time(value as! Date)) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if T.self == Decimal.self { return .number((value as! Decimal).description) }
        let child = ValueEncoder(writer: writer, codingPath: codingPath)
        try value.encode(to: child)
        return child.slot.node ?? .object(JSONObject())
    }

    func nested(_ key: any CodingKey) -> ValueEncoder {
        ValueEncoder(writer: writer, codingPath: codingPath + [key])
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: JSONObject
        if case .object(let existing) = slot.node {
            object = existing
        } else {
            object = JSONObject()
            slot.node = .object(object)
        }
        return KeyedEncodingContainer(KeyedWriter<Key>(encoder: self, object: object, kind: ContainerKind(type)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: JSONArray
        if case .array(let existing) = slot.node {
            array = existing
        } else {
            array = JSONArray()
            slot.node = .array(array)
        }
        return UnkeyedWriter(encoder: self, array: array)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueWriter(encoder: self) }
}

/// Numbers as JSONEncoder writes them: integers in decimal, floating point
/// by Swift's shortest form without a trailing ".0"; NaN and infinities refused.
enum JSONNumber {
    static func text<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, codingPath: [any CodingKey]) throws -> JSONNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath,
                                                          debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    let object: JSONObject
    let kind: ContainerKind
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ node: JSONNode, _ key: Key) { object.members[encoder.writer.key(key, of: kind)] = node }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try JSONNumber.text(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try JSONNumber.text(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { set(try encoder.nested(key).box(value), key) }

    /// The encoder of a nested container, holding what the key already has:
    /// a container asked for twice under one key is the same one, as JSONEncoder's.
    private func nestedEncoder(_ key: Key) -> ValueEncoder {
        let nested = encoder.nested(key)
        nested.slot.node = object.members[encoder.writer.key(key, of: kind)]
        return nested
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = nestedEncoder(key)
        let container = nested.container(keyedBy: type)
        set(nested.slot.node!, key)
        return container
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = nestedEncoder(key)
        let container = nested.unkeyedContainer()
        set(nested.slot.node!, key)
        return container
    }

    mutating func superEncoder() -> any Encoder { deferred(IndexKey("super"), name: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { deferred(key, name: encoder.writer.key(key, of: kind)) }

    /// A superclass's value, filled after the encoder is handed out.
    private func deferred(_ key: any CodingKey, name: String) -> any Encoder {
        let nested = encoder.nested(key)
        object.members[name] = .deferred(nested.slot)
        return nested
    }
}

struct UnkeyedWriter: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    let array: JSONArray
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { array.elements.count }

    private func append(_ node: JSONNode) { array.elements.append(node) }
    private var nextKey: any CodingKey { IndexKey(array.elements.count) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try JSONNumber.text(value, codingPath: codingPath + [nextKey])) }
    mutating func encode(_ value: Float) throws { append(try JSONNumber.text(value, codingPath: codingPath + [nextKey])) }
    mutating func encode(_ value: Int) throws { append(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { append(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { append(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { append(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { append(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { append(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { append(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { append(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { append(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { append(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { append(try encoder.nested(nextKey).box(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = encoder.nested(nextKey)
        let container = nested.container(keyedBy: type)
        append(nested.slot.node!)
        return container
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = encoder.nested(nextKey)
        let container = nested.unkeyedContainer()
        append(nested.slot.node!)
        return container
    }

    mutating func superEncoder() -> any Encoder {
        let nested = encoder.nested(nextKey)
        append(.deferred(nested.slot))
        return nested
    }
}

struct SingleValueWriter: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ node: JSONNode) { encoder.slot.node = node }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(try JSONNumber.text(value, codingPath: codingPath)) }
    mutating func encode(_ value: Float) throws { set(try JSONNumber.text(value, codingPath: codingPath)) }
    mutating func encode(_ value: Int) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { set(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { set(try encoder.box(value)) }
}

/// An array index or a super key in a coding path.
struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) { stringValue = "Index \(index)"; intValue = index }
    init(_ name: String) { stringValue = name; intValue = nil }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(intValue) }
}
