import CLibPQ
import ClusterFacts
import Foundation
import SQLCatalogue

/// One libpq connection. Calls are serialised, so a connection may be handed
/// to a background task (the TUI queries off its input loop), but it is
/// meant to have one user at a time.
public final class Connection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let lock = NSLock()
    private let noticeBox = NoticeBox()
    public let target: ConnectionTarget

    /// Connects, failing after `timeoutSeconds` unless the operator (or
    /// PGCONNECT_TIMEOUT) chose another bound.
    public static func connect(_ target: ConnectionTarget, timeoutSeconds: Int = 10) throws(PostgresError) -> Connection {
        let known = KnownServerVersions.shared.version(of: target.redactedDescription)
        let first: ConnectFailure
        do {
            return try connect(target, timeoutSeconds: timeoutSeconds, knownVersion: known)
        } catch {
            first = error
        }
        // A server that no longer knows a timeout we sent (another version behind the same address): once more without.
        if known != nil, case .failed(.connectionFailed(_, let message)) = first, message.contains("unrecognized configuration parameter") {
            KnownServerVersions.shared.forget(target.redactedDescription)
            do { return try connect(target, timeoutSeconds: timeoutSeconds, knownVersion: nil) } catch { throw error.asPublic }
        }
        // Cut before the SET that follows the connection (a database's idle_session_timeout of a
        // millisecond): once more, with the timeouts in the startup packet now that the version is known.
        if known == nil, case .sessionCutBeforePinned = first, let learned = KnownServerVersions.shared.version(of: target.redactedDescription) {
            do { return try connect(target, timeoutSeconds: timeoutSeconds, knownVersion: learned) } catch { throw error.asPublic }
        }
        throw first.asPublic
    }

    private static func connect(_ target: ConnectionTarget, timeoutSeconds: Int, knownVersion: Int?) throws(ConnectFailure) -> Connection {
        let handle: OpaquePointer
        do { handle = try start(target, timeoutSeconds: timeoutSeconds, knownVersion: knownVersion) } catch { throw .failed(error) }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = failureMessage(handle, target)
            PQfinish(handle)
            // PostgreSQL takes the startup parameter `options`; PgBouncer refuses it by default.
            if message.contains("unsupported startup parameter: options") {
                throw .failed(.behindPooler(target: target.redactedDescription, evidence: "it refused a startup parameter PostgreSQL accepts: \(message)"))
            }
            throw .failed(.connectionFailed(target: target.redactedDescription, message: message))
        }
        let connection = Connection(handle: handle, target: target)
        let version = connection.serverVersionNumber
        if version > 0 { KnownServerVersions.shared.remember(version, of: target.redactedDescription) }
        do {
            // The pooler check first: a pooler that drops startup options fails the pin check too, less plainly.
            try connection.checkSession()
        } catch {
            // Our own verdicts (a pooler, a pin that did not take) close the session themselves: not a cut, no second try.
            let verdict: Bool
            switch error {
            case .behindPooler, .sessionNotPinned: verdict = true
            default: verdict = false
            }
            let lost = !verdict && (connection.withHandle { PQstatus($0) != CONNECTION_OK } ?? true)
            connection.close()
            if lost && knownVersion == nil && version >= 140000 { throw .sessionCutBeforePinned(error) }
            throw .failed(error)
        }
        return connection
    }

    /// A connection as far as libpq takes it, with the pinned startup options;
    /// its status unread (the caller finishes it).
    static func start(_ target: ConnectionTarget, timeoutSeconds: Int, knownVersion: Int?) throws(PostgresError) -> OpaquePointer {
        let explicit = try ConnectionTarget.parse(target.conninfo)
        var pairs: [(String, String)] = [("fallback_application_name", "pg-ssl-wizard")]
        let timeoutGiven = explicit["connect_timeout"] != nil
            || ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] != nil
            || target.overrides.contains { $0.name == "connect_timeout" }
        if !timeoutGiven { pairs.append(("connect_timeout", String(timeoutSeconds))) }
        // dbname is expanded as a whole conninfo string or URI (expand_dbname=1);
        // keywords after it override what it sets.
        pairs.append(("dbname", target.conninfo))
        pairs += target.overrides.filter { $0.name != "options" }.map { ($0.name, $0.value) }
        // Last, so nothing the operator's string or the wizard's overrides set can drop it.
        let operatorOptions = target.overrides.last { $0.name == "options" }?.value ?? explicit["options"]
            ?? ProcessInfo.processInfo.environment["PGOPTIONS"]
        pairs.append(("options", SessionProfile.options(after: operatorOptions, serverVersion: knownVersion)))

        let handle = withCStringArrays(pairs.map(\.0), pairs.map(\.1)) { keywords, values in
            PQconnectdbParams(keywords, values, 1)
        }
        guard let handle else { throw .connectionFailed(target: target.redactedDescription, message: "out of memory") }
        return handle
    }

    /// libpq's error, on one line, with no secret of the target in it.
    static func failureMessage(_ handle: OpaquePointer, _ target: ConnectionTarget) -> String {
        ConninfoScrubber.scrub(Self.oneLine(String(cString: PQerrorMessage(handle))), conninfo: target.conninfo,
                               extraSecrets: ConninfoScrubber.secrets(of: target.overrides))
    }

    /// Why the inner connect failed: plainly, or cut before its session was pinned (worth one more try).
    private enum ConnectFailure: Error {
        case failed(PostgresError)
        case sessionCutBeforePinned(PostgresError)

        var asPublic: PostgresError {
            switch self {
            case .failed(let error), .sessionCutBeforePinned(let error): return error
            }
        }
    }

    /// The checks every session passes before it is used, sent as one
    /// simple query (one round trip): the backend is the one libpq talks to,
    /// then the versioned timeouts, then the pinned settings read back.
    ///
    /// The backend libpq talks to is the one that answers (docs/POSTGRES.md,
    /// "Poolers"): a pooler hands its client a cancel key of its own, so the
    /// pid in it is not the server's pg_backend_pid(). A port forward or an
    /// ssh tunnel keeps the key, so only this is checked, not the port.
    ///
    /// The pinned settings really are in force (a pooler can drop startup
    /// options; docs/SECURITY.md, "SQL"). SHOW and the reported parameter
    /// are not function calls, so nothing planted can answer them. A
    /// walsender (replication=true) takes no SET and runs no SQL of ours;
    /// it is asked SHOW alone.
    ///
    /// One at a time where one query cannot carry them: a walsender of
    /// either kind (13 and 14 parse a replication connection's query as one
    /// command, `;` and all), and after the joined query failed on a server
    /// that is still there (a pooler that takes one statement per query, a
    /// SET it refuses), so that the pooler's verdict still comes first.
    private func checkSession() throws(PostgresError) {
        let replication = option("replication")?.lowercased() ?? ""
        let physical = Self.physicalReplicationValues.contains(replication)
        var statements: [String] = []
        if !physical {
            statements.append(InspectionQueries.backendPID)
            statements += SessionProfile.versionedSettings(serverVersion: serverVersionNumber)
        }
        statements.append(SessionProfile.check)
        let values: [String?]
        if replication.isEmpty {
            do {
                values = try simpleQueryValues(statements)
            } catch {
                // A lost session is thrown as it is (Connection.connect may try once more).
                guard isOpen else { throw error }
                values = try oneAtATime(statements, checkingPID: !physical)
            }
        } else {
            values = try oneAtATime(statements, checkingPID: !physical)
        }
        if !physical { try checkPID(values.first ?? nil) }
        let searchPath = values.last ?? nil
        let conforming = withHandle { PQparameterStatus($0, "standard_conforming_strings").map { String(cString: $0) } } ?? nil
        let encoding = withHandle { PQparameterStatus($0, "client_encoding").map { String(cString: $0) } } ?? nil
        guard searchPath == SessionProfile.expectedSearchPath, conforming == "on", encoding == "UTF8" else {
            close()
            throw .sessionNotPinned(target: target.redactedDescription,
                                    found: "search_path is '\(searchPath ?? "?")', standard_conforming_strings is '\(conforming ?? "?")', client_encoding is '\(encoding ?? "?")'")
        }
    }

    /// `statements` sent one per query; the first one's answer checked as the backend's pid before the next is sent.
    private func oneAtATime(_ statements: [String], checkingPID: Bool) throws(PostgresError) -> [String?] {
        var values: [String?] = []
        for statement in statements {
            values.append(try simpleQueryValues([statement])[0])
            if checkingPID && values.count == 1 { try checkPID(values[0]) }
        }
        return values
    }

    /// The pid the session reports is the one in libpq's cancel key, or the session is closed as behind a pooler.
    private func checkPID(_ answered: String?) throws(PostgresError) {
        let keyPID = backendPID
        guard let answered = answered.flatMap({ Int32($0) }), answered == keyPID else {
            close()
            throw .behindPooler(target: target.redactedDescription,
                                evidence: "libpq's backend pid \(keyPID) is not the pg_backend_pid() the session reports")
        }
    }

    private init(handle: OpaquePointer, target: ConnectionTarget) {
        self.handle = handle
        self.target = target
        let box = Unmanaged.passUnretained(noticeBox).toOpaque()
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            let box = Unmanaged<NoticeBox>.fromOpaque(context).takeUnretainedValue()
            let severity = PQresultErrorField(result, pgsw_diag_severity_text()).map { String(cString: $0) } ?? "NOTICE"
            let message = PQresultErrorField(result, pgsw_diag_message_primary()).map { String(cString: $0) } ?? ""
            box.append(Notice(severity: severity, message: message))
        }, box)
    }

    deinit { if let handle { PQfinish(handle) } }

    /// Closes the connection; later calls fail with `.connectionLost`.
    public func close() {
        lock.lock(); defer { lock.unlock() }
        if let handle { PQfinish(handle) }
        handle = nil
    }

    public var isOpen: Bool {
        lock.lock(); defer { lock.unlock() }
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Runs one statement with `$1`-style parameters sent separately from the
    /// SQL text (PQexecParams), results in text format.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresParameter)?] = []) throws(PostgresError) -> QueryResult {
        lock.lock(); defer { lock.unlock() }
        guard let handle else { throw .connectionLost("the connection is closed") }
        let texts = parameters.map { $0?.postgresText }
        let result: OpaquePointer? = withOptionalCStrings(texts) { values in
            PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try Self.outcome(of: result, on: handle).get()
    }

    /// What one statement's result says: its rows, the server's error, or a
    /// lost connection (no result, or an error without a SQLSTATE on a
    /// connection that is no longer up). Clears the result.
    static func outcome(of result: OpaquePointer?, on handle: OpaquePointer) -> Result<QueryResult, PostgresError> {
        guard let result else {
            return .failure(Self.lost(handle))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return .success(QueryResult(result))
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            if PQstatus(handle) != CONNECTION_OK, PQresultErrorField(result, pgsw_diag_sqlstate()) == nil {
                return .failure(Self.lost(handle))
            }
            return .failure(.server(Self.serverError(from: result)))
        default:
            return .failure(.connectionLost("unexpected result status \(String(cString: PQresStatus(PQresultStatus(result))))"))
        }
    }

    /// The connection lost, in libpq's words.
    static func lost(_ handle: OpaquePointer) -> PostgresError {
        .connectionLost(oneLine(String(cString: PQerrorMessage(handle))))
    }

    /// `body` with the handle, under the connection's lock; a closed connection throws.
    func withOpenHandle<T>(_ body: (OpaquePointer) throws(PostgresError) -> T) throws(PostgresError) -> T {
        lock.lock(); defer { lock.unlock() }
        guard let handle else { throw .connectionLost("the connection is closed") }
        return try body(handle)
    }

    /// The first value of each of `statements`, sent together as one query
    /// of the simple protocol (a replication connection knows no other); nil
    /// for a statement that returns no rows or a NULL. The first error
    /// fails the whole (the server stops there too). A peer that answers
    /// with COPY, or with more results than statements, is not a server
    /// answering these: the connection is closed (libpq would hand out COPY
    /// results for ever).
    private func simpleQueryValues(_ statements: [String]) throws(PostgresError) -> [String?] {
        let (values, failure, broken) = try withOpenHandle { handle throws(PostgresError) -> ([String?], PostgresError?, Bool) in
            guard PQsendQuery(handle, statements.joined(separator: "; ")) == 1 else {
                throw Self.lost(handle)
            }
            var values: [String?] = []
            var failure: PostgresError?
            var results = 0
            while let result = PQgetResult(handle) {
                results += 1
                let status = PQresultStatus(result)
                if Self.isCopy(status) || results > statements.count {
                    PQclear(result)
                    return (values, .connectionLost(Self.notAnAnswer(status)), true)
                }
                switch status {
                case PGRES_TUPLES_OK:
                    values.append(PQntuples(result) > 0 && PQgetisnull(result, 0, 0) == 0 ? String(cString: PQgetvalue(result, 0, 0)) : nil)
                    PQclear(result)
                case PGRES_COMMAND_OK:
                    values.append(nil)
                    PQclear(result)
                default:
                    if case .failure(let error) = Self.outcome(of: result, on: handle), failure == nil { failure = error }
                }
            }
            return (values, failure, false)
        }
        if broken { close() }
        if let failure { throw failure }
        guard values.count == statements.count else {
            throw .connectionLost("\(values.count) of \(statements.count) statements answered")
        }
        return values
    }

    static func isCopy(_ status: ExecStatusType) -> Bool {
        status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH
    }

    /// Why an answer is taken for a broken peer.
    static func notAnAnswer(_ status: ExecStatusType) -> String {
        isCopy(status) ? "the server answered a query with COPY" : "the server sent more results than statements"
    }

    /// Quotes a string as an SQL literal the libpq way (PQescapeLiteral).
    /// Only for utility statements such as ALTER SYSTEM, which take no parameters.
    public func literal(_ text: String) throws(PostgresError) -> String {
        lock.lock(); defer { lock.unlock() }
        guard let handle else { throw .connectionLost("the connection is closed") }
        let utf8 = Array(text.utf8CString)
        guard let escaped = PQescapeLiteral(handle, utf8, utf8.count - 1) else {
            throw Self.lost(handle)
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// Notices and warnings received since the last call (for example
    /// pg_terminate_backend's "did not terminate within" warning).
    public func takeNotices() -> [Notice] { noticeBox.take() }

    // MARK: - Facts libpq knows about this connection

    public var backendPID: Int32 { withHandle { PQbackendPID($0) } ?? 0 }
    public var serverVersionNumber: Int { Int(withHandle { PQserverVersion($0) } ?? 0) }
    public var sslInUse: Bool { (withHandle { PQsslInUse($0) } ?? 0) != 0 }
    public var gssEncryptionInUse: Bool { (withHandle { PQgssEncInUse($0) } ?? 0) != 0 }
    public var host: String { (withHandle { PQhost($0).map { String(cString: $0) } } ?? nil) ?? "" }

    /// The connection went to a unix socket, as this side's socket says (not the server).
    public var viaUnixSocket: Bool {
        withHandle { handle -> Bool in
            var address = sockaddr_storage()
            var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let socket = PQsocket(handle)
            guard socket >= 0 else { return false }
            return withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &size) == 0 }
            } && Int32(address.ss_family) == AF_UNIX
        } ?? false
    }
    public var port: String { (withHandle { PQport($0).map { String(cString: $0) } } ?? nil) ?? "" }
    public var user: String { (withHandle { PQuser($0).map { String(cString: $0) } } ?? nil) ?? "" }
    public var database: String { (withHandle { PQdb($0).map { String(cString: $0) } } ?? nil) ?? "" }

    public func sslAttribute(_ name: String) -> String? {
        withHandle { PQsslAttribute($0, name).map { String(cString: $0) } } ?? nil
    }

    /// The effective value of a connection keyword, as libpq resolved it.
    public func option(_ keyword: String) -> String? {
        withHandle { handle -> String? in
            guard let options = PQconninfo(handle) else { return nil }
            defer { PQconninfoFree(options) }
            var cursor = options
            while let name = cursor.pointee.keyword {
                if String(cString: name) == keyword { return cursor.pointee.val.map { String(cString: $0) } }
                cursor += 1
            }
            return nil
        } ?? nil
    }

    /// Every connection keyword with the value libpq resolved for it
    /// (environment, service file and password file included): what another
    /// process needs to connect the same way without this process's
    /// environment. Holds the password when one was used: never print it.
    public var resolvedKeywords: [(name: String, value: String)] {
        withHandle { handle -> [(name: String, value: String)] in
            guard let options = PQconninfo(handle) else { return [] }
            defer { PQconninfoFree(options) }
            var result: [(name: String, value: String)] = []
            var cursor = options
            while let name = cursor.pointee.keyword {
                if let value = cursor.pointee.val.map({ String(cString: $0) }), !value.isEmpty {
                    let keyword = String(cString: name)
                    // The profile is added again on every connection; `options` would carry it twice.
                    if keyword != "options" { result.append((keyword, value)) }
                }
                cursor += 1
            }
            return result
        } ?? []
    }

    /// DER bytes of the certificate the server presented in this connection's
    /// TLS handshake; nil without TLS.
    public var peerCertificateDER: [UInt8]? {
        withHandle { handle in Self.peerCertificateDER(handle) } ?? nil
    }

    static func peerCertificateDER(_ handle: OpaquePointer) -> [UInt8]? {
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        let length = pgsw_peer_certificate_der(handle, &buffer)
        guard length > 0, let buffer else { return nil }
        defer { pgsw_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    /// The session facts the wizard needs about itself.
    public func ownSession() throws(PostgresError) -> OwnSession {
        try ownSession(from: try query(InspectionQueries.ownSession))
    }

    /// The same from `InspectionQueries.ownSession`'s result, read in a batch.
    func ownSession(from result: QueryResult) throws(PostgresError) -> OwnSession {
        guard let row = result.first else { throw .connectionLost("no row from the session query") }
        let serverAddress = try row.optionalString("server_address")
        return OwnSession(
            pid: try row.int32("pid"),
            user: try row.string("role"),
            database: try row.string("database"),
            transport: serverAddress == nil ? .unixSocket : .tcp,
            host: host, port: port,
            serverAddress: serverAddress,
            clientAddress: try row.optionalString("client_address"),
            ssl: sslInUse,
            tlsProtocol: sslAttribute("protocol"),
            cipher: sslAttribute("cipher"),
            keyBits: sslAttribute("key_bits").flatMap { Int($0) },
            gssEncrypted: gssEncryptionInUse,
            sslMode: option("sslmode") ?? "prefer")
    }

    /// `replication` values that make a physical walsender (`replication=true`), which speaks its own commands only.
    static let physicalReplicationValues: Set<String> = ["true", "on", "yes", "1"]

    /// libpq's own version (`PQlibVersion`), for keyword feature gates.
    public static var libraryVersion: Int { Int(PQlibVersion()) }

    // MARK: - Helpers

    private func withHandle<T>(_ body: (OpaquePointer) -> T) -> T? {
        lock.lock(); defer { lock.unlock() }
        guard let handle else { return nil }
        return body(handle)
    }

    private static func serverError(from result: OpaquePointer) -> ServerError {
        func field(_ code: Int32) -> String? { PQresultErrorField(result, code).map { String(cString: $0) } }
        return ServerError(
            severity: field(pgsw_diag_severity_text()) ?? "ERROR",
            sqlState: field(pgsw_diag_sqlstate()) ?? "XX000",
            message: field(pgsw_diag_message_primary()) ?? oneLine(String(cString: PQresultErrorMessage(result))),
            detail: field(pgsw_diag_message_detail()),
            hint: field(pgsw_diag_message_hint()))
    }

    /// libpq messages span lines ("\n\tIs the server running..."); the
    /// operator gets one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}

/// A NOTICE or WARNING the server sent during a statement.
public struct Notice: Hashable, Sendable {
    public var severity: String
    public var message: String
}

private final class NoticeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var notices: [Notice] = []
    func append(_ notice: Notice) { lock.lock(); notices.append(notice); lock.unlock() }
    func take() -> [Notice] { lock.lock(); defer { notices = []; lock.unlock() }; return notices }
}

/// Keeps C copies of the strings alive for the duration of `body`.
private func withCStringArrays<R>(_ first: [String], _ second: [String],
                                  _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let a = first.map { strdup($0) }
    let b = second.map { strdup($0) }
    defer { (a + b).forEach { free($0) } }
    let aa: [UnsafePointer<CChar>?] = a.map { UnsafePointer($0) } + [nil]
    let bb: [UnsafePointer<CChar>?] = b.map { UnsafePointer($0) } + [nil]
    return aa.withUnsafeBufferPointer { pa in bb.withUnsafeBufferPointer { pb in body(pa.baseAddress!, pb.baseAddress!) } }
}

func withOptionalCStrings<R>(_ texts: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies = texts.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
