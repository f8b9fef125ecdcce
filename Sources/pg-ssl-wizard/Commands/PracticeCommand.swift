import ArgumentParser
import ClusterFacts
import Foundation
import PostgresClient
import Sandbox

/// Preliminary practice mode: a throwaway cluster with plain-text clients
/// and its status report. The full scenarios and the wizard replace this.
struct PracticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "practice",
        abstract: "Start a throwaway practice cluster with non-SSL sessions and show its status.")

    func run() throws {
        let report: StatusReport = try failingWithUnknown {
            let binaries = try PostgresBinaries.locate()
            let root = FileManager.default.temporaryDirectory.path + "/pgsw-practice-\(getpid())"
            let cluster = try LocalCluster.create(binaries: binaries, root: root, owner: LocalCluster.defaultOwner())
            defer { cluster.destroy() }
            try cluster.start()
            let clients = try (0..<3).map { _ in
                try Connection.connect(ConnectionTarget(cluster.tcpConninfo()).with("application_name", "practice-app"))
            }
            defer { clients.forEach { $0.close() } }
            return try StatusCheck.run(ConnectionTarget(cluster.socketConninfo()))
        }
        print(report.text())
        print("\nThe practice cluster has been stopped and removed.")
    }
}
