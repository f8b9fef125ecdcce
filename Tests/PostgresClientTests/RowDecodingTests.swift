import PostgresClient
import Testing
import TestSupport

struct RowDecodingTests {
    struct RuleRow: Decodable, Equatable {
        var lineNumber: Int
        var database: [String]?
        var options: [String]?
        var error: String?
    }

    @Test func decodesRowsIntoTypesWithArraysAndNulls() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let result = try connection.query("""
                SELECT 3 AS line_number, ARRAY['all', 'a b', 'x"y', 'c,d'] AS database, NULL::text[] AS options, NULL::text AS error
                UNION ALL
                SELECT 4, ARRAY['{brace}'], ARRAY['map=x'], 'boom'
                """)
            let rows = try result.decode(RuleRow.self)
            #expect(rows == [
                RuleRow(lineNumber: 3, database: ["all", "a b", "x\"y", "c,d"], options: nil, error: nil),
                RuleRow(lineNumber: 4, database: ["{brace}"], options: ["map=x"], error: "boom"),
            ])
        }
    }

    @Test func wrongShapesNameTheColumn() async throws {
        try await TestCluster.with { cluster in
            let row = try #require(try cluster.superuserConnection().query("SELECT 'abc' AS line_number").first)
            #expect(throws: PostgresError.decoding(column: "line_number", value: "abc", expected: "integer")) {
                try row.int("line_number")
            }
        }
    }
}
