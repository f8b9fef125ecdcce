import ArgumentParser
import ClusterFacts
import Foundation

/// Which server log the client inventory and the impact preview read.
struct LogEvidenceOptions: ParsableArguments {
    @Option(name: .customLong("log"), help: "A server log file to read connection lines from (stderr with the server's log_line_prefix, .csv csvlog, .json jsonlog; repeatable). Default: the files the server writes, when it logs connections.")
    var files: [String] = []
    @Option(name: .customLong("log-since"), help: "Read only connections of the last DURATION: 90m, 12h, 7d (default: the whole log).")
    var since: String?
    @Flag(name: .customLong("no-log"), help: "Do not read the server's log.") var noLog = false

    func validate() throws {
        if let since, LogWindow.seconds(since) == nil {
            throw ValidationError("--log-since \(since): use a number with m, h or d (90m, 12h, 7d)")
        }
        if noLog && !files.isEmpty { throw ValidationError("--no-log and --log: choose one") }
    }

    func request(now: Date = Date()) -> ConnectionLogRequest? {
        if noLog { return .off }
        let window = since.flatMap(LogWindow.seconds).map { now.addingTimeInterval(-$0) }
        if files.isEmpty && window == nil { return nil }
        return ConnectionLogRequest(files: files, since: window)
    }
}

/// "90m", "12h", "7d" in seconds.
enum LogWindow {
    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let number = Double(text.dropLast()), number > 0 else { return nil }
        switch unit {
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86400
        default: return nil
        }
    }
}
