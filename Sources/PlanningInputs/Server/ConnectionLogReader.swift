import ClusterFacts
import Enforcement
import Foundation
import HBA
import HostIO
import PostgresClient
import ServerLog
import SQLCatalogue

/// Reads the server's connection lines (docs/POSTGRES.md, "The server log as
/// evidence"): the files the operator names, else those the server writes
/// (the collector's directory, or the postmaster's own stderr when it is a
/// file). Every file is opened through a descriptor, never through a link,
/// and read in chunks: its contents are the server OS user's and its
/// clients', read as data only.
public enum ConnectionLogReader {
    static let chunkSize = 1 << 20

    public static func read(_ request: ConnectionLogRequest, connection: Connection, snapshot: ClusterSnapshot) -> ConnectionLogEvidence? {
        guard request.enabled else { return nil }
        let settings = (try? connection.query(SQLText.logSettings).rows.reduce(into: [String: String]()) { result, row in
            if let name = try? row.string("name"), let value = try? row.optionalString("setting") { result[name] = value }
        }) ?? [:]
        let logConnections = settings["log_connections"] ?? "off"
        var limits: [LogEvidenceLimit] = []
        if !ConnectionLogEvidence.logsAuthorizations(logConnections) {
            limits.append(.connectionLoggingOff(setting: logConnections, major: snapshot.server.version.major))
            // Nothing new is written; an operator-named file may still hold old lines.
            if request.files.isEmpty { return ConnectionLogEvidence(files: [], since: request.since, logConnections: logConnections, bytesRead: 0,
                                                                    connectionLines: 0, clients: [], limits: limits) }
        }
        let prefixSetting = settings["log_line_prefix"] ?? ""
        let prefix = LogLinePrefix(prefixSetting)
        let timeZone = TimeZone(identifier: settings["log_timezone"] ?? "UTC") ?? TimeZone(identifier: "UTC")!
        let serverUser = ServerUserFileSource.serverOwner(dataDirectory: snapshot.server.dataDirectory)
        var sources: [LogSource]
        if request.files.isEmpty {
            guard let serverUser else {
                limits.append(.noLogFile(directory: nil))
                return ConnectionLogEvidence(files: [], since: request.since, logConnections: logConnections, bytesRead: 0,
                                             connectionLines: 0, clients: [], limits: limits)
            }
            sources = serverFiles(settings: settings, dataDirectory: snapshot.server.dataDirectory, owner: serverUser.uid,
                                  since: request.since, limits: &limits)
        } else {
            // The operator named them: any owner, still never through a link and only what was there at the open.
            sources = request.files.map { path in LogSource(name: path, owner: nil, open: { () throws(FileWriteError) in try HostFile.open(path) }) }
        }
        var files: [String] = [], bytes = 0, lines = 0
        var merged: [LoggedClient] = []
        var longLines = 0, forged = 0, uncounted = 0
        var stderrRead = false
        for source in sources {
            let format = LogFormat.of(path: source.name, prefix: prefix)
            var scanner = ConnectionLogScanner(format: format, timeZone: timeZone, since: request.since)
            do {
                let file = try source.open()
                if let why = LogFileCheck.problem(file, owner: source.owner) {
                    limits.append(.notTheServersFile(file: source.name, why: why))
                    continue
                }
                // Only what the file held when it was opened: a file that keeps growing (or is sparse and huge) does not hold the run.
                try file.forEachChunk(size: chunkSize, limit: LogFileCheck.size(file)) { scanner.feed($0) }
                scanner.finish()
            } catch {
                limits.append(.unreadable(file: source.name, reason: error.operatorMessage))
                continue
            }
            files.append(source.name)
            bytes += scanner.bytesRead
            lines += scanner.connectionLines
            merged += scanner.inventory
            longLines += scanner.longLines
            forged += scanner.skippedLines
            uncounted += scanner.uncountedClients
            if case .stderr = format { stderrRead = true }
        }
        if stderrRead {
            if !prefix.namesHost && !prefix.namesPID { limits.append(.noAddresses(prefix: prefixSetting)) }
            if prefix.writesRawNames { limits.append(.forgeableLines(prefix: prefixSetting)) }
        }
        let clients = LoggedClientMerge.merge(merged)
        if clients.contains(where: { $0.encryption == .ssl }) && clients.contains(where: { $0.encryption == .plain }) {
            limits.append(.unverifiedEncryption)
        }
        let named = clients.filter { client in client.address.map { $0 != "[local]" && IPAddress(numeric: $0) == nil } ?? false }.count
        if named > 0 { limits.append(.hostNames(count: named)) }
        if longLines + forged + uncounted > 0 { limits.append(.setAside(longLines: longLines, forged: forged, uncounted: uncounted)) }
        return ConnectionLogEvidence(files: files, since: request.since, logConnections: logConnections, bytesRead: bytes,
                                     connectionLines: lines, clients: clients, limits: limits)
    }

    struct LogSource {
        var name: String
        /// The uid the file must belong to (the server's OS user); nil for files the operator named.
        var owner: uid_t?
        var open: () throws(FileWriteError) -> HostFile.Descriptor
    }

    /// The collector's files of the structured format when there is one
    /// (csvlog, then jsonlog: unambiguous), else its stderr files; without
    /// the collector, the postmaster's stderr when it is a regular file.
    static func serverFiles(settings: [String: String], dataDirectory: String, owner: uid_t, since: Date?,
                            limits: inout [LogEvidenceLimit]) -> [LogSource] {
        let destinations = (settings["log_destination"] ?? "stderr").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if settings["logging_collector"] == "on" {
            let configured = settings["log_directory"] ?? "log"
            let directory = configured.hasPrefix("/") ? configured : dataDirectory + "/" + configured
            // log_directory is the server's setting: only a directory of the server user's own is listed.
            guard let fd = try? HostFile.openDirectory(directory) else {
                limits.append(.noLogFile(directory: directory))
                return []
            }
            var info = stat()
            let statted = fstat(fd, &info) == 0
            close(fd)
            guard statted, info.st_uid == owner else {
                limits.append(.notTheServersFile(file: directory, why: "log_directory is not a directory of the server's OS user"))
                return []
            }
            let suffix = destinations.contains("csvlog") ? ".csv" : destinations.contains("jsonlog") ? ".json" : nil
            let names = HostFile.names(in: directory).filter { name in
                suffix.map { name.hasSuffix($0) } ?? (!name.hasSuffix(".csv") && !name.hasSuffix(".json"))
            }
            var found: [(name: String, modified: Date)] = []
            for name in names {
                var entry = stat()
                guard lstat(directory + "/" + name, &entry) == 0, entry.st_mode & S_IFMT == S_IFREG else { continue }
                let modified = Date(timeIntervalSince1970: TimeInterval(entry.st_mtim.tv_sec))
                if let since, modified < since { continue }
                found.append((directory + "/" + name, modified))
            }
            if found.isEmpty { limits.append(.noLogFile(directory: directory)) }
            return found.sorted { $0.modified < $1.modified }.map { file in
                LogSource(name: file.name, owner: owner, open: { () throws(FileWriteError) in try HostFile.open(file.name) })
            }
        }
        // The server's own stderr: only a verified postmaster's, through /proc (no path to swap).
        guard let postmaster = try? Postmaster.verified(dataDirectory: dataDirectory), let path = Postmaster.stderrFile(pid: postmaster.pid) else {
            limits.append(.noLogFile(directory: nil))
            return []
        }
        return [LogSource(name: path, owner: owner, open: { () throws(FileWriteError) in try HostFile.openStandardError(of: postmaster.pid, path: path) })]
    }
}

/// What a log file must be before its bytes are read (docs/SECURITY.md,
/// "Log injection"): a regular file with one name, and for the server's own
/// logs, the server OS user's; never on /proc or /sys, whose files look
/// regular but are the kernel's.
enum LogFileCheck {
    static func problem(_ file: HostFile.Descriptor, owner: uid_t?) -> String? {
        var info = stat()
        guard fstat(file.fd, &info) == 0 else { return "it cannot be examined" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "it is not a regular file" }
        if KernelFiles.contains(info) { return "it is a kernel file (/proc, /sys)" }
        if let owner {
            guard info.st_uid == owner else { return "it belongs to uid \(info.st_uid), not to the server's OS user" }
            // A second name could be a hard link the server user made to a file only root may read.
            guard info.st_nlink == 1 else { return "it has \(info.st_nlink) names (a hard link)" }
        }
        return nil
    }

    /// The size at the open: the reader stops there.
    static func size(_ file: HostFile.Descriptor) -> Int {
        var info = stat()
        return fstat(file.fd, &info) == 0 ? Int(info.st_size) : 0
    }
}

/// The same client seen in several files counts once, with the sum.
enum LoggedClientMerge {
    static func merge(_ clients: [LoggedClient]) -> [LoggedClient] {
        var merged: [String: LoggedClient] = [:]
        var order: [String] = []
        for client in clients {
            let key = [client.user, client.database ?? "", client.address ?? "", client.applicationName, client.encryption.rawValue,
                       client.replication ? "r" : ""].joined(separator: "\u{1}")
            guard var existing = merged[key] else { merged[key] = client; order.append(key); continue }
            existing.connections += client.connections
            existing.firstSeen = [existing.firstSeen, client.firstSeen].compactMap { $0 }.min()
            existing.lastSeen = [existing.lastSeen, client.lastSeen].compactMap { $0 }.max()
            existing.plainWhileSSLOffered = existing.plainWhileSSLOffered || client.plainWhileSSLOffered
            existing.tlsVersion = client.tlsVersion ?? existing.tlsVersion
            merged[key] = existing
        }
        return order.compactMap { merged[$0] }.sorted { ($0.lastSeen ?? .distantPast) > ($1.lastSeen ?? .distantPast) }
    }
}
