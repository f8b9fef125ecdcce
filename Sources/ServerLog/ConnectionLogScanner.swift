import ClusterFacts
import Foundation

/// How a log file is written: `log_destination` stderr (read with the
/// server's `log_line_prefix`), csvlog or jsonlog.
public enum LogFormat: Hashable, Sendable {
    case stderr(LogLinePrefix)
    case csv
    case json

    /// The format a file's name says (".csv", ".json"), else stderr with `prefix`.
    public static func of(path: String, prefix: LogLinePrefix) -> LogFormat {
        if path.hasSuffix(".csv") { return .csv }
        if path.hasSuffix(".json") { return .json }
        return .stderr(prefix)
    }
}

/// Reads connection lines out of a server log fed to it in chunks of any
/// size, keeping only what the inventory needs: no line is kept, so a log of
/// any size is read in constant memory. Every byte is the log writer's
/// (the server's OS user, and any role or client name inside it): a line
/// that does not parse is counted and skipped, never guessed at.
public struct ConnectionLogScanner {
    public let format: LogFormat
    var clock: LogTime
    let since: Date?
    var pending: [UInt8] = []
    /// csvlog: inside a quoted field at the current position (a record's field may span lines).
    var insideQuotes = false
    /// pid -> client host, from "connection received" lines (stderr without %h/%r).
    var hostOfPID: [Int32: String] = [:]
    var clients: [Key: LoggedClient] = [:]
    var sslSeen = false
    public private(set) var bytesRead = 0
    public private(set) var connectionLines = 0
    /// Connection lines not taken: their two copies of the application name disagree (a forged suffix).
    public private(set) var skippedLines = 0
    /// Lines longer than `maxLine`, not read.
    public private(set) var longLines = 0
    /// Connections of clients beyond `maxClients` distinct ones, counted only.
    public private(set) var uncountedClients = 0
    /// The rest of a line longer than `maxLine` is being skipped.
    var discardingLine = false

    /// A connection line is a few hundred bytes; anything longer is something else.
    static let maxLine = 64 * 1024
    /// A log can name only so many distinct clients before it is flooding, not evidence.
    static let maxClients = 10_000
    static let maxPIDs = 50_000

    struct Key: Hashable {
        var user: String, database: String?, address: String?, application: String
        var encryption: LoggedClient.Encryption, replication: Bool
    }

    public init(format: LogFormat, timeZone: TimeZone, since: Date? = nil) {
        self.format = format
        clock = LogTime(timeZone: timeZone)
        self.since = since
    }

    /// The clients seen, most recent first.
    public var inventory: [LoggedClient] {
        clients.values.sorted { ($0.lastSeen ?? .distantPast, $0.user, $0.address ?? "") > ($1.lastSeen ?? .distantPast, $1.user, $1.address ?? "") }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        bytesRead += chunk.count
        var chunk = chunk
        if discardingLine {
            // The rest of an overlong line: up to its newline.
            guard let newline = chunk.firstIndex(of: UInt8(ascii: "\n")) else { return }
            discardingLine = false
            chunk = UnsafeRawBufferPointer(rebasing: chunk[(newline + 1)...])
        }
        guard let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) else {
            keepPending(chunk[...])
            return
        }
        if pending.isEmpty {
            scan(UnsafeRawBufferPointer(rebasing: chunk[..<(newline + 1)]))
        } else {
            pending.append(contentsOf: chunk[..<(newline + 1)])
            let buffer = pending
            pending = []
            buffer.withUnsafeBytes { scan($0) }
        }
        keepPending(chunk[(newline + 1)...])
    }

    /// Keeps the start of an unfinished line, never more than `maxLine` of it.
    mutating func keepPending(_ bytes: Slice<UnsafeRawBufferPointer>) {
        guard pending.count + bytes.count <= Self.maxLine else {
            pending = []
            longLines += 1
            discardingLine = true
            return
        }
        pending.append(contentsOf: bytes)
    }

    /// The last line, when the file does not end with a newline.
    public mutating func finish() {
        guard !pending.isEmpty else { return }
        let buffer = pending + [UInt8(ascii: "\n")]
        pending = []
        buffer.withUnsafeBytes { scan($0) }
    }

    static let needle = ByteSearch("connection ")

    /// `buffer` holds whole lines. Only lines with "connection " in them are looked at.
    mutating func scan(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var position = 0
        var parityPosition = 0
        while position < buffer.count, let offset = Self.needle.first(in: buffer, from: position) {
            var lineStart = offset
            while lineStart > 0 && buffer[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
            let lineEnd = memchr(base + offset, Int32(UInt8(ascii: "\n")), buffer.count - offset).map { base.distance(to: UnsafeRawPointer($0)) } ?? buffer.count
            if case .csv = format {
                advanceParity(base, from: parityPosition, to: lineStart)
                if !insideQuotes {
                    readLine(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart))
                }
                advanceParity(base, from: lineStart, to: min(lineEnd + 1, buffer.count))
                parityPosition = min(lineEnd + 1, buffer.count)
            } else {
                readLine(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart))
            }
            position = lineEnd + 1
        }
        if case .csv = format { advanceParity(base, from: parityPosition, to: buffer.count) }
    }

    /// Tracks whether csvlog is inside a quoted field ("" inside one is two quotes: parity holds).
    mutating func advanceParity(_ base: UnsafeRawPointer, from start: Int, to end: Int) {
        var index = start
        while index < end, let found = memchr(base + index, Int32(UInt8(ascii: "\"")), end - index) {
            insideQuotes.toggle()
            index = base.distance(to: UnsafeRawPointer(found)) + 1
        }
    }

    mutating func readLine(_ line: UnsafeRawBufferPointer) {
        guard line.count <= Self.maxLine else { longLines += 1; return }
        let bytes = Array(line)
        let record: LogRecord?
        switch format {
        case .stderr(let prefix): record = LogRecord.stderr(bytes, prefix: prefix)
        case .csv: record = LogRecord.csv(bytes)
        case .json: record = LogRecord.json(bytes)
        }
        guard let record else { return }
        guard let message = ConnectionMessage.parse(record.message) else { return }
        connectionLines += 1
        switch message {
        case .received(let host):
            guard let pid = record.pid, host.utf8.count <= 255 else { return }
            // Lines of connections that never logged in are never claimed: start over rather than grow.
            if hostOfPID.count >= Self.maxPIDs { hostOfPID.removeAll(keepingCapacity: true) }
            hostOfPID[pid] = host
        case .authorized(let authorized):
            // At authorization the session's application_name setting is often not applied yet (the field is
            // empty); when the record does carry it, a copy in the message that disagrees was forged.
            if let application = record.application, !application.isEmpty, application != authorized.application { skippedLines += 1; return }
            let time = record.time.flatMap { clock.parse($0) }
            if authorized.encryption == .ssl { sslSeen = true }
            if let since, let time, time < since { return }
            let address = record.host ?? record.pid.flatMap { hostOfPID.removeValue(forKey: $0) }
            let key = Key(user: authorized.user, database: authorized.database, address: address, application: authorized.application,
                          encryption: authorized.encryption, replication: authorized.replication)
            if clients[key] == nil && clients.count >= Self.maxClients { uncountedClients += 1; return }
            var client = clients[key] ?? LoggedClient(user: key.user, database: key.database, address: key.address,
                                                      applicationName: key.application, encryption: key.encryption,
                                                      replication: key.replication)
            client.connections += 1
            client.tlsVersion = authorized.tlsVersion ?? client.tlsVersion
            if let time {
                client.firstSeen = min(client.firstSeen ?? time, time)
                client.lastSeen = max(client.lastSeen ?? time, time)
            }
            if authorized.encryption == .plain && sslSeen { client.plainWhileSSLOffered = true }
            clients[key] = client
        }
    }
}

/// One log record's fields that matter here, from any of the three formats.
struct LogRecord {
    var time: String?
    var pid: Int32?
    var host: String?
    /// The application name as the format writes it apart from the message
    /// (csvlog, jsonlog, %a): the message's copy must agree with it.
    var application: String?
    var message: ArraySlice<UInt8>

    /// "PREFIX LOG:  connection ..." (or "LOG:  00000: connection ..." with
    /// verbose errors), the severity exactly where the prefix ends: text a
    /// client put later in a line (a statement, a role name in an error) is
    /// never read as a record. A line starting with a tab continues a
    /// multi-line message: never a record.
    static func stderr(_ line: [UInt8], prefix: LogLinePrefix) -> LogRecord? {
        guard line.first != UInt8(ascii: "\t") else { return nil }
        let severity = Array("LOG:  ".utf8)
        guard let (fields, end) = prefix.read(line[...], terminator: severity), line[end...].starts(with: severity) else { return nil }
        var messageStart = end + severity.count
        let rest = line[messageStart...]
        if rest.count > 7, rest.prefix(5).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "Z")).contains($0) }),
           rest[rest.startIndex + 5] == UInt8(ascii: ":") {
            messageStart += 7
        }
        return LogRecord(time: fields.time, pid: fields.pid, host: fields.host, application: fields.application, message: line[messageStart...])
    }

    /// csvlog: log_time, user_name, database_name, process_id, connection_from ("host:port"), ... message (14th).
    static func csv(_ line: [UInt8]) -> LogRecord? {
        guard let fields = CSVLine.fields(line), fields.count >= 14, fields[11] == "LOG" else { return nil }
        return LogRecord(time: fields[0], pid: Int32(fields[3]), host: CSVLine.host(ofConnectionFrom: fields[4]),
                         application: fields.count > 22 ? fields[22] : nil, message: Array(fields[13].utf8)[...])
    }

    /// jsonlog (15+): one object per line.
    static func json(_ line: [UInt8]) -> LogRecord? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let message = object["message"] as? String, (object["error_severity"] as? String) == "LOG" else { return nil }
        return LogRecord(time: object["timestamp"] as? String, pid: (object["pid"] as? NSNumber)?.int32Value,
                         host: object["remote_host"] as? String, application: object["application_name"] as? String, message: Array(message.utf8)[...])
    }
}
