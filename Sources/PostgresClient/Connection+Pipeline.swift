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
    /// Runs `statements` in one round trip (libpq's pipeline mode), each
    /// with a sync of its own: each is its own implicit transaction, so one
    /// failing (a view closed to this role) fails alone, as it would sent by
    /// itself. The outcomes come in the statements' order. Where libpq has
    /// no pipeline mode (13 and older), or `oneAtATime`, the same one
    /// statement at a time. A blocking write cannot deadlock against a
    /// server busy sending results: libpq reads what comes in while it
    /// waits to write.
    ///
    /// A peer that answers with COPY, or with more results than a statement
    /// has, is not a server answering these; a pipeline libpq cannot leave
    /// is of no more use. Either way the connection is closed and the
    /// statements not answered say so.
    ///
    /// `meanwhile` runs once, on this thread, after the statements are sent
    /// and before their answers are read: local work that needs none of
    /// them is done while the server works. One at a time, it runs first,
    /// before anything is sent. It must never use this connection: in
    /// pipeline mode it runs under the connection's lock, which is not
    /// re-entrant, and in the middle of the pipeline.
    public func queries(_ statements: [Statement], oneAtATime: Bool = false,
                        meanwhile: () -> Void = {}) throws(PostgresError) -> [Result<QueryResult, PostgresError>] {
        guard !oneAtATime, statements.count > 1, pgsw_libpq_has_pipeline() != 0 else {
            meanwhile()
            return statements.map { statement in
                Result { () throws(PostgresError) in try query(statement.sql, statement.parameters) }
            }
        }
        let (outcomes, broken) = try withOpenHandle { handle throws(PostgresError) -> ([Result<QueryResult, PostgresError>], Bool) in
            guard PQenterPipelineMode(handle) == 1 else { throw Self.lost(handle) }
            var sent = 0
            for statement in statements {
                let queued = withOptionalCStrings(statement.parameters) { values in
                    PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, values, nil, nil, 0)
                }
                guard queued == 1, PQpipelineSync(handle) == 1 else { break }
                sent += 1
            }
            meanwhile()
            var outcomes: [Result<QueryResult, PostgresError>] = []
            var broken = sent < statements.count
            for index in statements.indices {
                guard !broken, index < sent else {
                    outcomes.append(.failure(Self.lost(handle)))
                    continue
                }
                switch Self.nextOutcome(handle) {
                case .answered(let outcome): outcomes.append(outcome)
                case .lost: outcomes.append(.failure(Self.lost(handle)))
                case .notAnAnswer(let why):
                    outcomes.append(.failure(.connectionLost(why)))
                    broken = true
                }
            }
            return (outcomes, broken || PQexitPipelineMode(handle) != 1)
        }
        if broken { close() }
        return outcomes
    }

    /// What the pipeline gave for one statement.
    private enum PipelineStep {
        /// Its outcome, its sync read.
        case answered(Result<QueryResult, PostgresError>)
        /// The connection broke before the sync came.
        case lost
        /// Something no server sends for it (COPY, a second result).
        case notAnAnswer(String)
    }

    /// One statement's outcome and its sync, read off the pipeline.
    private static func nextOutcome(_ handle: OpaquePointer) -> PipelineStep {
        // The statement's result, then a nil that ends it, then the sync.
        var first = PQgetResult(handle)
        if first == nil { first = PQgetResult(handle) }
        guard let first else { return .lost }
        let status = PQresultStatus(first)
        if status == PGRES_PIPELINE_SYNC { PQclear(first); return .lost }
        if isCopy(status) { PQclear(first); return .notAnAnswer(notAnAnswer(status)) }
        let outcome = outcome(of: first, on: handle)
        var next = PQgetResult(handle)
        if next == nil { next = PQgetResult(handle) }
        // Broken before the sync: the statement's own answer stands; the next statement finds nothing.
        guard let next else { return .answered(outcome) }
        let nextStatus = PQresultStatus(next)
        PQclear(next)
        if nextStatus == PGRES_PIPELINE_SYNC { return .answered(outcome) }
        return .notAnAnswer(isCopy(nextStatus) ? notAnAnswer(nextStatus) : "the server sent two results for one statement")
    }
}
