import ArgumentParser
import ClusterFacts
import Executor
import Foundation

/// `apply --observe`: the window between SSL on and the rewrite.
extension RunOutput {
    struct ObservationSummary: Encodable {
        var schema = JSONContract.schema
        var run: String
        var outcome: String
        var observedSeconds: Int
        var pinnedClients: [LoggedClient]
        var message: String
    }

    /// Watches, prints what it saw, and stops the command (exit 11) when
    /// pinned clients appeared and the operator did not accept refusing them.
    static func observe(_ driver: RunDriver, seconds: Int, refusePinned: Bool, json: Bool) throws {
        let pinned = try failingWithUnknown { () throws -> [LoggedClient] in
            let since = try PlainClientObservation.sslOfferedSince(driver.connection, fromLastReload: true)
            if !json { print("SSL is offered: watching \(seconds) s for clients that still connect in plain text") }
            var reported = 0
            return try PlainClientObservation.watch(driver.connection, seconds: Double(seconds), since: since) { clients in
                guard !json, clients.count > reported else { return }
                for client in clients[reported...] { print("  plain after SSL was offered: \(describe(client))") }
                reported = clients.count
            }
        }
        if pinned.isEmpty {
            if !json { print("no client connected in plain text within \(seconds) s") }
            return
        }
        if refusePinned {
            if !json { print("\(pinned.count) pinned client(s) will be refused from the rewrite on (--refuse-pinned-clients)") }
            return
        }
        let error = RunError.pinnedClients(run: driver.record.run, clients: pinned.map(describe))
        if json {
            print(ReportJSON.text(ObservationSummary(run: driver.record.run, outcome: "stopped: pinned clients", observedSeconds: seconds,
                                                     pinnedClients: pinned, message: error.operatorMessage)))
        } else {
            TerminalText.write("pg-ssl-wizard: " + error.operatorMessage + "\n", to: .standardError)
        }
        throw ExitCode(11)
    }

    static func describe(_ client: LoggedClient) -> String {
        "\(client.user)@\(client.database ?? "replication") from \(client.address ?? "?")"
            + (client.applicationName.isEmpty ? "" : " (\(client.applicationName))") + ", \(client.connections) connection(s)"
    }
}
