import Executor
import Foundation
import HostIO
import TestSupport

/// The parts of `plan --json` the guard tests read.
struct GuardPlanJSON: Decodable {
    struct Reason: Decodable { var text: String; var ways_out: [String] }
    struct Refused: Decodable { var user: String; var address: String; var cause: String; var reason: String; var fix: String; var sessions: Int }
    struct Pooled: Decodable { var address: String; var sessions: Int; var users: [String]; var needs: String }
    struct Terminated: Decodable { var pid: Int32 }
    struct File: Decodable { var path: String; var diff: String? }
    var blocked: Bool
    var exit_code: Int32
    var reasons: [Reason]
    var refused_clients: [Refused]
    var pooled_groups: [Pooled]
    var terminate: [Terminated]
    var files: [File]
    var notes: [String]

    static func decode(_ output: ProcessOutput) throws -> GuardPlanJSON {
        do {
            return try JSONDecoder().decode(GuardPlanJSON.self, from: Data(output.stdout.utf8))
        } catch {
            throw TestEnvironment.Missing(description: "not a plan (exit \(output.exitCode)): \(output.stdout)\n\(output.stderr)")
        }
    }
}
