import CLibPQ

/// One statement of a batch: its SQL and its `$1`-style parameters.
public struct Statement: Sendable {
    public let sql: String
    public let parameters: [String?]

    public init(_ sql: String, _ parameters: [(any PostgresParameter)?] = []) {
        self.sql = sql
        self.parameters = parameters.map { $0?.postgresText }
    }
}

extension Connection {
    /// Batches larger than this go one statement at a time: the whole batch
    /// must fit in the socket's send buffer (16 KiB at least for TCP), or a
    /// blocking write of the last statements could wait for a server that
    /// itself waits to send the first results.
    static let pipelineByteLimit = 8_192

    /// Runs `statements` in one round trip (libpq's pipeline mode), each
    /// with a sync of its own: each is its own implicit transaction, so one
    /// failing (a view closed to this role) fails alone, as it would sent by
    /// itself. The outcomes come in the statements' order. Where libpq has
    /// no pipeline mode (13 and older), or the batch is large, the same one
    /// statement at a time.
    public func queries(_ statements: [Statement]) throws(PostgresError) -> [Result<QueryResult, PostgresError>] {
        let bytes = statements.reduce(0) { $0 + $1.sql.utf8.count + $1.parameters.reduce(0) { $0 + ($1?.utf8.count ?? 0) } }
        guard statements.count > 1, bytes <= Self.pipelineByteLimit, pgsw_libpq_has_pipeline() != 0 else {
            return statements.map { statement in
                Result { () throws(PostgresError) in try query(statement.sql, statement.parameters) }
            }
        }
        return try withOpenHandle { handle throws(PostgresError) in
            guard PQenterPipelineMode(handle) == 1 else { throw .connectionLost(Self.oneLine(String(cString: PQerrorMessage(handle)))) }
            var sent = 0
            for statement in statements {
                let queued = withOptionalCStrings(statement.parameters) { values in
                    PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, values, nil, nil, 0)
                }
                guard queued == 1, PQpipelineSync(handle) == 1 else { break }
                sent += 1
            }
            var outcomes: [Result<QueryResult, PostgresError>] = []
            for index in statements.indices {
                guard index < sent, let outcome = Self.nextOutcome(handle) else {
                    outcomes.append(.failure(.connectionLost(Self.oneLine(String(cString: PQerrorMessage(handle))))))
                    continue
                }
                outcomes.append(outcome)
            }
            // Fails only on a connection that is gone, which the outcomes say already.
            _ = PQexitPipelineMode(handle)
            return outcomes
        }
    }

    /// One statement's outcome and its sync, read off the pipeline; nil when
    /// the connection broke before the sync came.
    private static func nextOutcome(_ handle: OpaquePointer) -> Result<QueryResult, PostgresError>? {
        // The statement's result, then a nil that ends it, then the sync.
        var first = PQgetResult(handle)
        if first == nil { first = PQgetResult(handle) }
        guard let first else { return nil }
        if PQresultStatus(first) == PGRES_PIPELINE_SYNC { PQclear(first); return nil }
        let outcome = outcome(of: first, on: handle)
        var nils = 0
        while nils < 2 {
            guard let next = PQgetResult(handle) else { nils += 1; continue }
            let status = PQresultStatus(next)
            PQclear(next)
            if status == PGRES_PIPELINE_SYNC { return outcome }
            nils = 0
        }
        return outcome
    }
}
