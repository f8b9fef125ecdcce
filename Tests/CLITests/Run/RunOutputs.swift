import Executor
import Foundation
import HostIO
import TestSupport

/// The JSON that `apply --json`, `resume --json` and the audit report print, as the tests read them.
struct ApplySummary: Decodable {
    var run: String
    var outcome: String
    var steps: [String: String]
    var report: String?
    var journal: String
    var backups: [String: String]
    var exposure_window_seconds: Double?
    var warnings: [String]

    static func decode(_ output: ProcessOutput) throws -> ApplySummary {
        do {
            return try JSONDecoder().decode(ApplySummary.self, from: Data(output.stdout.utf8))
        } catch {
            throw TestEnvironment.Missing(description: "not an apply summary (exit \(output.exitCode)): \(output.stdout)\n\(output.stderr)")
        }
    }
}

struct AuditReportJSON: Decodable {
    struct Terminated: Decodable {
        var pid: Int32
        var application_name: String?
        var client_address: String?
        var walsender: Bool
        /// pg_stat_activity.state when the session was signalled.
        var state: String?
        var cut_inside_transaction: Bool?
        var transaction_seconds: Double?
    }
    struct Confirmation: Decodable {
        var negative_test: String
        var verify_full: String?
        var plain_tcp_sessions: Int
    }
    struct EndedLogin: Decodable {
        var pid: Int32
        var client_address: String?
    }
    var outcome: String
    var exposure_window_seconds: Double?
    var terminated: [Terminated]
    var ended_logins: [EndedLogin]
    var confirmation: Confirmation?
    var backups: [String: String]
    var warnings: [String]
    var root_certificate_pem: String?
    var step_seconds: [String: Double]?

    static func read(_ markdownPath: String?) throws -> AuditReportJSON {
        let path = (markdownPath ?? "").replacingOccurrences(of: ".md", with: ".json")
        guard let data = FileManager.default.contents(atPath: path) else { throw TestEnvironment.Missing(description: "no report at \(path)") }
        return try JSONDecoder().decode(AuditReportJSON.self, from: data)
    }
}

extension TestCluster {
    var hbaText: String { (try? String(contentsOfFile: hbaFile, encoding: .utf8)) ?? "" }

    /// Appends a line to pg_hba.conf keeping its owner and mode (as an admin's editor would).
    func appendToHBA(_ line: String) throws {
        try refuseTrustOverTCP(line)
        try append(line, to: hbaFile)
    }

    /// Appends to postgresql.conf in the data directory, the same way.
    func appendToConfig(_ line: String) throws { try append(line, to: dataDirectory + "/postgresql.conf") }

    private func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }
}
