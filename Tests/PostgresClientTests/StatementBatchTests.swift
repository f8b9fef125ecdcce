import Foundation
import PostgresClient
import Testing
import TestSupport

/// `Connection.queries`: several statements in one round trip (libpq's
/// pipeline mode), each on its own, answered in order; the same outcomes as
/// one statement at a time, which is what a libpq without pipeline mode gets.
@Suite(.serialized) struct StatementBatchTests {
    static let statements = [
        Statement("SELECT $1::int + 1 AS next", [41]),
        Statement("SELECT 1/0 AS never"),
        Statement("SELECT $1::text AS echoed", ["O'Brien; --"]),
        Statement("SET application_name = 'batched'"),
        Statement("SELECT pg_catalog.current_setting('application_name') AS name"),
    ]

    /// What each outcome says, comparable across the two ways.
    static func described(_ outcomes: [Result<QueryResult, PostgresError>]) throws -> [String] {
        try outcomes.map { outcome in
            switch outcome {
            case .success(let result): return "rows " + (try result.rows.map { row in try row.optionalString(result.columns[0]) ?? "NULL" }).joined(separator: "|")
            case .failure(let error): return "error \(error.sqlState ?? "lost")"
            }
        }
    }

    @Test func eachStatementIsAnsweredInOrderAndAFailureFailsAlone() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let outcomes = try Self.described(try connection.queries(Self.statements))
            #expect(outcomes == ["rows 42", "error 22012", "rows O'Brien; --", "rows ", "rows batched"], "\(outcomes)")
            // The connection is out of pipeline mode and takes statements as before.
            #expect(try connection.query("SELECT 2 AS two").first?.int("two") == 2)
        }
    }

    /// What a libpq without pipeline mode (13 and older) does.
    @Test func oneAtATimeGivesTheSameOutcomes() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let one = try Self.described(try connection.queries(Self.statements, oneAtATime: true))
            let pipelined = try Self.described(try connection.queries(Self.statements))
            #expect(one == pipelined, "\(one) against \(pipelined)")
        }
    }

    /// The backend dies in the middle: the statements after it say the
    /// connection is lost, and the batch returns instead of waiting.
    @Test func aSessionCutInTheMiddleLosesTheRestAndReturns() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let outcomes = try Self.described(try connection.queries([
                Statement("SELECT 1 AS one"),
                Statement("SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid())"),
                Statement("SELECT 3 AS three"),
            ]))
            #expect(outcomes.first == "rows 1", "\(outcomes)")
            #expect(outcomes.dropFirst().allSatisfy { $0 == "error 57P01" || $0 == "error lost" }, "\(outcomes)")
            #expect(outcomes.last == "error lost", "\(outcomes)")
            #expect(!connection.isOpen)
        }
    }

    /// A statement answered with COPY (here a real one; a hostile relay can
    /// answer anything so): libpq hands out COPY results for ever, so the
    /// batch closes the connection and says why, instead of spinning.
    @Test(.timeLimit(.minutes(1))) func aCopyAnswerClosesTheConnectionInsteadOfSpinning() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let outcomes = try connection.queries([
                Statement("SELECT 1 AS one"), Statement("COPY (SELECT 2) TO STDOUT"), Statement("SELECT 3 AS three"),
            ])
            let described = try Self.described(outcomes)
            #expect(described == ["rows 1", "error lost", "error lost"], "\(described)")
            guard case .failure(let error) = outcomes[1] else { return }
            #expect("\(error)".contains("COPY"), "\(error)")
            #expect(!connection.isOpen)
        }
    }

    /// `meanwhile` runs once, while the server works on statements already
    /// sent: another session sees the first one running from inside it, and
    /// the answers read after it are the statements' own. One at a time (and
    /// with a libpq without pipeline mode), it runs once too, before the
    /// first statement: then nothing of the batch is running yet.
    @Test func meanwhileRunsOnceWhileTheServerWorksOnTheStatementsSent() async throws {
        try await TestCluster.with { cluster in
            let connection = try cluster.superuserConnection()
            let observer = try cluster.superuserConnection()
            let pid = try connection.query("SELECT pg_catalog.pg_backend_pid() AS pid").first!.int32("pid")
            var runs = 0
            var seenRunning: String?
            let outcomes = try connection.queries([
                Statement("SELECT pg_catalog.pg_sleep(1) IS NULL AS slept"), Statement("SELECT 2 AS two"),
            ]) {
                runs += 1
                let deadline = Date().addingTimeInterval(5)
                while seenRunning == nil, Date() < deadline {
                    seenRunning = try? observer.query("SELECT query FROM pg_catalog.pg_stat_activity WHERE pid = $1 AND state = 'active'", [pid])
                        .first?.optionalString("query")
                    if seenRunning == nil { Thread.sleep(forTimeInterval: 0.01) }
                }
            }
            #expect(runs == 1)
            if Connection.libraryVersion >= 140_000 {
                #expect(seenRunning?.contains("pg_sleep") == true, "\(seenRunning ?? "nothing running")")
            } else {
                #expect(seenRunning == nil, "\(seenRunning ?? "")")
            }
            #expect(try Self.described(outcomes) == ["rows f", "rows 2"])

            var oneAtATimeRuns = 0
            let one = try connection.queries(Self.statements, oneAtATime: true) { oneAtATimeRuns += 1 }
            #expect(oneAtATimeRuns == 1)
            #expect(try Self.described(one).first == "rows 42")
        }
    }
}

/// The checks after every connection as one query, and where they cannot be.
@Suite(.serialized) struct SessionCheckTests {
    /// 13 and 14 parse a walsender's query, logical ones too, as one
    /// replication command: the checks go one at a time there, and the
    /// session is admitted as it was before they were joined.
    @Test(.timeLimit(.minutes(2))) func aLogicalReplicationSessionOnFourteenPassesTheChecks() async throws {
        try TestEnvironment.requireRoot(for: "the postgres OS user")
        try await TestCluster.with(binaries: try TestServers.binaries(major: 14)) { cluster in
            let target = try ConnectionTarget(cluster.socketConninfo).with("replication", "database")
            let connection = try Connection.connect(target)
            defer { connection.close() }
            #expect(connection.isOpen && connection.backendPID > 0)
        }
    }
}

