import ClusterFacts
@testable import Executor
import Foundation
import HostIO
import PlanningInputs
import PostgresClient
import Testing
import TestSupport

/// The dead-man check's TCP attempt for a socket operator goes to a listen
/// address of the server. Whoever answers there must serve the certificate
/// the run proved: a listener of someone else's on that address (the server
/// on `::1` only, another local user on `127.0.0.1` at the same port) that
/// lets anyone in, or refuses after its handshake, proves nothing about the
/// server. Before, both answers counted as "TLS over TCP works".
struct DeadManPeerTests {
    enum Answer: String, CaseIterable, Sendable {
        case letsEveryoneIn = "trust"
        case refusesAfterItsHandshake = "reject"
    }

    @Test(arguments: Answer.allCases)
    func aPeerServingAnotherCertificateIsNoWayIn(answer: Answer) async throws {
        try await TestCluster.with { server in
            _ = try server.enableSSL()
            try server.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 trust\n")
            try server.reload()
            guard case .served(let proven, _, _) = ServedCertificate.withoutLogin(host: "127.0.0.1", port: server.port) else {
                Issue.record("the server serves no certificate"); return
            }
            try await TestCluster.with { impostor in
                _ = try impostor.enableSSL()
                try impostor.writeHBA("local all all trust\nhostssl all all 127.0.0.1/32 \(answer.rawValue)\n")
                try impostor.reload()
                let connection = try server.superuserConnection()
                defer { connection.close() }
                let snapshot = try ServerInspector(connection: connection).snapshot()
                func attempt(port: Int) -> String? {
                    var context = RunContext(target: connection.target, snapshot: snapshot, stamp: "peer-test")
                    context.server.port = port
                    let runner = EffectRunner(context: context, connection: connection,
                                              stateDirectory: StateDirectory(path: server.local.root + "/state"))
                    return runner.attemptTCPWithSSL(host: "127.0.0.1", timeoutSeconds: 5, served: proven)
                }
                #expect(attempt(port: server.port) == nil, "the server itself is the way in")
                let answered = attempt(port: impostor.port)
                #expect(answered?.contains("not the proven \(proven)") == true, "\(answered ?? "accepted")")
            }
        }
    }
}
