@testable import ClusterFacts
import Foundation
import TestSupport
import Testing

/// JSONWriter writes what JSONEncoder writes with the same settings, byte
/// for byte: scripts and playbooks read `--json` (README, "JSON contracts")
/// and earlier runs' records are read back, so the writer may change the
/// cost of the bytes, never the bytes. Each case is encoded both ways.
struct JSONWriterTests {
    static func foundation(_ layout: JSONWriter.Layout, _ keys: JSONWriter.Keys) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = layout == .pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(JSONTime.checkedText(date))
        }
        if case .snakeCase = keys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return encoder
    }

    static let settings: [(JSONWriter.Layout, JSONWriter.Keys)] = [(.pretty, .snakeCase), (.pretty, .asDeclared), (.compact, .asDeclared), (.compact, .snakeCase)]

    /// Both ways, in every layout and key style; the bytes must be equal.
    static func expectSameBytes<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (layout, keys) in settings {
            let expected = String(decoding: try foundation(layout, keys).encode(value), as: UTF8.self)
            let written = try JSONWriter(layout: layout, keys: keys, time: JSONTime.checkedText).text(value)
            #expect(written == expected, "\(layout) \(keys)", sourceLocation: sourceLocation)
        }
    }

    struct Keyed: Encodable {
        var a_b = 1, aB = 2, a10 = 3, a9 = 4, A = 5, b = 6, Zed = 7, _x = 8, aa = 9, a = 10
        var myURLProperty = 11, tlsV13 = 12, sslMinProtocolVersion = 13, isHTTPS = 14, x509Name = 15
        var trailing_ = 16, aBC = 17, already_snake = 18, ipV6Address = 19, userID = 20, backendStartUs = 21
        var tls1_3 = 22, a1B = 23, über = 24, fooBAR = 25, foo2Bar = 26, TLSVersion = 27, XMLHTTPRequest = 28, ÉtéAB = 29
    }

    @Test func keysInOrderAndInSnakeCase() throws {
        try Self.expectSameBytes(Keyed())
    }

    @Test func snakeCaseOfNamesWithCapitalRuns() {
        #expect(JSONWriter.snakeCase("myURLProperty") == "my_url_property")
        #expect(JSONWriter.snakeCase("TLSVersion") == "t_ls_version")
        #expect(JSONWriter.snakeCase("backendStartUs") == "backend_start_us")
        #expect(JSONWriter.snakeCase("") == "")
        // Names with letters outside ASCII take the general path, with the same words.
        #expect(JSONWriter.snakeCase("ÉtéAB") == "été_ab")
        // ASCII names take the byte path: the same words as the general one, on names of every shape.
        var generator = SeededRandom(seed: 0xCA5E)
        let letters = Array("aAbZz_09".utf8)
        var names = ["a", "A", "aB", "ABc", "aBCd", "_leading", "trailing_", "x509Name", "isHTTPS", "XMLHTTPRequest", "tls1_3"]
        names += (0..<300).map { _ in String(decoding: (0..<Int.random(in: 1...9, using: &generator)).map { _ in letters.randomElement(using: &generator)! }, as: UTF8.self) }
        for name in names {
            #expect(JSONWriter.asciiSnakeCase(Array(name.utf8)) == JSONWriter.unicodeSnakeCase(name), "\(name)")
        }
    }

    struct Texts: Encodable { var texts: [String] }

    @Test func stringsEscapedAsFoundationEscapesThem() throws {
        let controls = (0..<32).map { String(UnicodeScalar(UInt8($0))) }.joined()
        try Self.expectSameBytes(Texts(texts: [controls, "q\"b\\s/x", "\u{7f}é\u{2028}\u{2029}😀", "", "line\nnext", "/etc/ssl/server.crt"]))
    }

    struct Numbers: Encodable {
        var doubles: [Double]
        var floats: [Float] = [0.1, 1, -2.5, 3.4e38, 1e-30]
        var ints: [Int] = [0, -1, .max, .min]
        var small: [Int8] = [.min, .max]
        var unsigned: [UInt64] = [0, .max]
        var int32 = Int32.min
        var uint16 = UInt16.max
    }

    @Test func numbersInTheShortestFormWithoutATrailingZero() throws {
        var generator = SeededRandom(seed: 0x5EED)
        var doubles: [Double] = [0, -0.0, 1, -1, 0.1, 1.5, 1e20, 1e21, 1e-7, 123456789.123, 2.5e-5, Double(Int64.max), 1e16,
                                 1e15 + 0.5, 0.30000000000000004, 1.0 / 3, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        doubles += (0..<500).map { _ in Double(bitPattern: generator.next()) }.filter(\.isFinite)
        try Self.expectSameBytes(Numbers(doubles: doubles))
    }

    @Test func notANumberIsRefusedAsFoundationRefusesIt() {
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try JSONWriter(layout: .pretty, keys: .snakeCase, time: JSONTime.checkedText).text(Numbers(doubles: [value])) }
            #expect(throws: EncodingError.self) { try Self.foundation(.pretty, .snakeCase).encode(Numbers(doubles: [value])) }
        }
    }

    struct Shapes: Encodable {
        var emptyList: [Int] = []
        var emptyMap: [String: Int] = [:]
        var nestedLists: [[Int]] = [[], [1], [2, 3]]
        var absent: Int? = nil
        var present: Int? = 4
        var holes: [Int?] = [1, nil, 3]
        var byName = ["b/c": 1, "A": 2, "a": 3, "myKey": 4, "TLSv1.3": 5]
        var byNumber = [10: "ten", 2: "two"]
        var mapsOfMaps = ["outerKey": ["innerKey": [true, false]]]
        var times = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_314_949.649)]
        var timesByName = ["startedAt": Date(timeIntervalSince1970: 86_400.5)]
        var bytes = Data([0, 1, 2, 250])
        var choice = Choice.pair(left: 1, rightSide: "r")
        var choices: [Choice] = [.none, .single(2), .pair(left: 3, rightSide: "s")]
        var nothing = Nothing()
    }

    enum Choice: Encodable { case none, single(Int), pair(left: Int, rightSide: String) }
    struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }

    @Test func containersDictionariesTimesAndEnums() throws {
        try Self.expectSameBytes(Shapes())
        try Self.expectSameBytes([Shapes(), Shapes()])
        try Self.expectSameBytes([Int]())
        try Self.expectSameBytes(["only": [String: Int]()])
        try Self.expectSameBytes(3)
        try Self.expectSameBytes("top")
    }

    class Base: Encodable {
        var baseValue = 1
        private enum CodingKeys: String, CodingKey { case baseValue }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(baseValue, forKey: .baseValue)
        }
    }

    final class Derived: Base {
        var derivedValue = "d"
        private enum CodingKeys: String, CodingKey { case derivedValue, parentList, parentByKey }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(derivedValue, forKey: .derivedValue)
            try super.encode(to: container.superEncoder())
            try super.encode(to: container.superEncoder(forKey: .parentByKey))
            var list = container.nestedUnkeyedContainer(forKey: .parentList)
            try list.encode(0)
            try super.encode(to: list.superEncoder())
        }
    }

    @Test func superEncodersAsFoundationPlacesThem() throws {
        try Self.expectSameBytes(Derived())
    }

    struct TwiceNested: Encodable {
        enum Keys: String, CodingKey { case inner, list, a, b }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var first = container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            try first.encode(1, forKey: .a)
            var second = container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            try second.encode(2, forKey: .b)
            var one = container.nestedUnkeyedContainer(forKey: .list)
            try one.encode(1)
            var two = container.nestedUnkeyedContainer(forKey: .list)
            try two.encode(2)
        }
    }

    @Test func aNestedContainerAskedForTwiceIsTheSameOne() throws {
        try Self.expectSameBytes(TwiceNested())
    }

    /// Nested lists as deep as asked.
    struct Deep: Encodable {
        let depth: Int
        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            if depth > 0 { try container.encode(Deep(depth: depth - 1)) }
        }
    }

    @Test func nestingAsDeepAsFoundationTakesAndNoDeeper() throws {
        try Self.expectSameBytes(Deep(depth: 400))
        let writer = JSONWriter(layout: .compact, keys: .asDeclared, time: JSONTime.checkedText)
        #expect(throws: EncodingError.self) { try writer.text(Deep(depth: 600)) }
        #expect(throws: EncodingError.self) { try Self.foundation(.compact, .asDeclared).encode(Deep(depth: 600)) }
    }

    @Test func timesOutsideTheWritableYearsAreRefused() {
        let writer = JSONWriter(layout: .compact, keys: .asDeclared, time: JSONTime.checkedText)
        #expect(throws: EncodingError.self) { try writer.text([Date(timeIntervalSince1970: -1e12)]) }
        #expect(throws: EncodingError.self) { try Self.foundation(.compact, .asDeclared).encode([Date(timeIntervalSince1970: -1e12)]) }
    }

    /// A status report with sessions of every kind, as `status --json` writes it.
    @Test func aStatusReportAsStatusWritesIt() throws {
        var report = SecretSettingsTests.report(passphraseCommand: "")
        let sessions = [
            Session(pid: 10, backendType: "client backend", user: "app", database: "shop", applicationName: "web \"1\"",
                    clientAddress: "10.0.0.5", clientPort: 50000, ssl: false, backendStart: Date(timeIntervalSince1970: 1_700_000_000.25),
                    backendStartMicroseconds: 1_700_000_000_250_000, state: "idle"),
            Session(pid: 11, backendType: "walsender", user: "replicator", database: nil, applicationName: "standby1",
                    clientAddress: "10.0.0.6", clientPort: 50001, ssl: true, tlsVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384",
                    bits: 256, state: "streaming", clientCertificate: true),
            Session(pid: 12, backendType: "client backend", user: "ops", database: "postgres", applicationName: "",
                    clientAddress: nil, clientPort: -1, ssl: false),
        ]
        let snapshot = report.snapshot
        let withSessions = ClusterSnapshot(takenAt: snapshot.takenAt, server: snapshot.server, privileges: snapshot.privileges, own: snapshot.own,
                                           settings: snapshot.settings, fileSettings: snapshot.fileSettings, hbaRules: snapshot.hbaRules,
                                           sessions: sessions, fileAccess: snapshot.fileAccess)
        report = StatusReport(snapshot: withSessions, assessment: StatusAssessment(snapshot: withSessions, tls: .offered))
        report.certificateExpiry = CertificateExpiry(subject: "CN=db.example", notAfter: Date(timeIntervalSince1970: 1_800_000_000),
                                                     now: Date(timeIntervalSince1970: 1_799_000_000), warnDays: 30, criticalDays: 7)
        var document = report.document
        document.certificateExpiry = report.certificateExpiry
        try Self.expectSameBytes(document)
        #expect(report.json() == String(decoding: try Self.foundation(.pretty, .snakeCase).encode(document), as: UTF8.self))
    }
}
