import Foundation
import Testing
import TestSupport

/// A client that connected in plain text while SSL was on, and left, is
/// found in the server's real log by `clients` and by `plan` (issue 22,
/// item 2): stderr with two prefixes, csvlog, jsonlog, and 18's list form
/// of log_connections. A `prefer` client seen over SSL keeps access.
@Suite(.serialized) struct ClientsFromTheLogTests {
    struct Shape: CustomStringConvertible, Sendable {
        var name: String
        var major: Int?
        var settings: [String: String]
        var description: String { name }
    }

    static let shapes = [
        Shape(name: "stderr, prefix %m [%p]", major: nil, settings: ["log_connections": "on"]),
        Shape(name: "stderr, prefix %t %h %u@%d", major: nil, settings: ["log_connections": "on", "log_line_prefix": "'%t %h %u@%d '"]),
        Shape(name: "csvlog", major: nil, settings: ["log_connections": "on", "logging_collector": "on", "log_destination": "'csvlog'"]),
        // jsonlog came with 15: on the distribution's 15 whatever server the suite runs on.
        Shape(name: "jsonlog", major: 15, settings: ["log_connections": "on", "logging_collector": "on", "log_destination": "'jsonlog'"]),
        Shape(name: "18, log_connections list", major: 18, settings: ["log_connections": "'receipt,authorization'"]),
    ]

    struct Inventory: Decodable {
        struct Client: Decodable {
            var user: String; var address: String; var application_name: String; var encryption: String
            var connected_now: Int; var seen_in_log: Int; var verdict: String; var last_seen: String?
        }
        struct Log: Decodable { var files: [String]; var connection_lines: Int }
        var clients: [Client]
        var log: Log?
    }

    struct PlanJSON: Decodable {
        struct Refused: Decodable { var user: String; var address: String; var cause: String; var seen_in_log: Int? }
        var refused_clients: [Refused]
        var notes: [String]
    }

    @Test(arguments: shapes) func aPlainClientThatLeftIsFoundInTheLog(_ shape: Shape) async throws {
        try TestEnvironment.requireRoot(for: "network namespaces")
        let lab = try NetworkLab.create(clients: 1)
        defer { lab.destroy() }
        let binaries = try shape.major.map { try TestServers.binaries(major: $0) }
        try await TestCluster.with(binaries: binaries, lab: lab, configure: { options in
            for (name, value) in shape.settings { options.settings[name] = value }
        }) { cluster in
            let office = lab.clients[0]
            _ = try cluster.enableSSL()
            try cluster.writeHBA("local all all trust\nhost all all \(office.addressV4)/32 scram-sha-256\n")
            try cluster.reload()
            let outcomes = try Probe.attempts([
                cluster.tcpConninfo(host: office.serverV4, sslmode: "disable") + " application_name=nightly-report",
                cluster.tcpConninfo(host: office.serverV4, sslmode: "prefer") + " application_name=shop",
            ], in: office.namespace)
            #expect(outcomes.map(\.ok) == [true, true] && outcomes.map(\.ssl) == [false, true], "\(outcomes)")

            let wizard = try WizardRun(namespace: lab.serverNamespace)
            var inventory: Inventory?
            // The collector writes a moment later than the server logs.
            try cluster.waitFor("the connections in the log", seconds: 15) {
                let output = try wizard.run(["clients", cluster.socketConninfo, "--json"])
                inventory = try? JSONDecoder().decode(Inventory.self, from: Data(output.stdout.utf8))
                return inventory?.clients.contains { $0.application_name == "nightly-report" } == true
            }
            let clients = try #require(inventory).clients
            let nightly = try #require(clients.first { $0.application_name == "nightly-report" })
            #expect(nightly.address == office.addressV4 && nightly.encryption == "plain" && nightly.connected_now == 0)
            #expect(nightly.seen_in_log == 1 && nightly.verdict == "refused" && nightly.last_seen != nil, "\(nightly)")
            let shop = try #require(clients.first { $0.application_name == "shop" })
            #expect(shop.encryption == "ssl" && shop.verdict == "keeps_access", "\(shop)")
            #expect(inventory?.log?.files.isEmpty == false && (inventory?.log?.connection_lines ?? 0) >= 2)

            let plan = try wizard.run(["plan", cluster.socketConninfo, "--json"])
            let document = try JSONDecoder().decode(PlanJSON.self, from: Data(plan.stdout.utf8))
            #expect(document.refused_clients.contains { $0.cause == "seen_in_log" && $0.address == office.addressV4 && $0.seen_in_log == 1 },
                    "\(document.refused_clients)")
            #expect(document.notes.contains { $0.hasPrefix("server log: ") }, "\(document.notes)")
            let text = try wizard.run(["clients", cluster.socketConninfo])
            #expect(text.exitCode == 10 && text.stdout.contains("REFUSED after the change"), "\(text.stdout)\(text.stderr)")
        }
    }

    @Test func withConnectionLoggingOffItSaysHowToTurnItOn() async throws {
        try await TestCluster.with { cluster in
            let wizard = try WizardRun()
            let output = try wizard.run(["clients", cluster.socketConninfo])
            #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
            // 18 made log_connections a list, empty by default.
            let (seen, fix) = cluster.version.major >= 18 ? ("log_connections is empty", "ALTER SYSTEM SET log_connections = 'receipt,authorization'")
                                                          : ("log_connections is off", "ALTER SYSTEM SET log_connections = on")
            #expect(output.stdout.contains(seen) && output.stdout.contains(fix), "\(output.stdout)")
        }
    }
}
