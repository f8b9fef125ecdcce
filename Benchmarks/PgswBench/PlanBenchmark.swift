import ClusterFacts
import Enforcement
import Foundation
import HBA
import TestSupport

/// Issue 5's benchmark: a whole dry run (three parses, the rewrite, the
/// impact preview of every session, the lock-out guard) for 10,000 rules and
/// 5,000 sessions, against the server's own parse of the same file
/// (`pg_hba_file_rules`) and against our parse alone, all in this run.
enum PlanBenchmark {
    static let ruleCount = 10_000
    static let sessionCount = 5_000
    static let repetitions = 5

    static func run() throws -> [BenchmarkResult] {
        let text = HBAFileOfRules.text(rules: ruleCount)
        return try TestCluster.withSync { cluster in
            let input = planningInput(text: text, cluster: cluster)
            var plan = try Planner.plan(input)
            guard plan.impact.terminate.count > sessionCount / 4, !plan.blocked, plan.files.count == 1 else {
                throw BenchmarkFailure("the synthetic estate did not plan as intended: \(plan.impact.terminate.count) to terminate, blocked \(plan.blocked)")
            }
            let planning = try Measure.samples(repetitions: repetitions) { plan = try Planner.plan(input) }
            let context = ParseContext(syntax: ServerSyntax(major: cluster.version.major), sslEnabled: false)
            let parse = Measure.samples(repetitions: repetitions) { _ = HBADocument(path: cluster.hbaFile, text: text, context: context) }

            try cluster.writeHBA(text)
            let connection = try cluster.superuserConnection()
            defer { connection.close() }
            let fileRules = try Measure.samples(repetitions: repetitions) {
                guard try connection.query("SELECT count(*) AS n FROM pg_hba_file_rules").rows[0].int("n") == ruleCount else {
                    throw BenchmarkFailure("the server did not read the generated file")
                }
            }
            try cluster.writeHBA("local all all trust\n")
            let name = "plan: \(ruleCount) rules, \(sessionCount) sessions"
            return [
                BenchmarkResult(name: name, samples: planning, baselineName: "PostgreSQL \(cluster.version) pg_hba_file_rules",
                                baseline: fileRules),
                BenchmarkResult(name: name, samples: planning, baselineName: "our parse of the same file", baseline: parse),
            ]
        }
    }

    /// A snapshot of a busy server: most sessions plain from the estate's
    /// subnets (distinct users and addresses), some on SSL, some walsenders.
    static func planningInput(text: String, cluster: TestCluster) -> PlanningInput {
        var sessions: [Session] = []
        for n in 0..<sessionCount {
            let rule = 2 + (n * 7) % (ruleCount - 3)
            let address = "10.\((rule / 250) % 250).\(rule % 250).\(10 + n % 200)"
            let walsender = n % 500 == 3
            sessions.append(Session(pid: Int32(10_000 + n), backendType: walsender ? "walsender" : "client backend",
                                    user: walsender ? "repl\(rule)" : "svc\(rule)", database: walsender ? nil : "app\(rule / 50 + 1)",
                                    applicationName: "app-\(n % 40)", clientAddress: address, clientPort: 40_000 + n % 20_000,
                                    ssl: n % 5 == 0))
        }
        let own = OwnSession(pid: 1, user: "postgres", database: "postgres", transport: .unixSocket, host: "/tmp", port: "5432",
                             serverAddress: nil, clientAddress: nil, ssl: false, tlsProtocol: nil, cipher: nil, keyBits: nil,
                             gssEncrypted: false, sslMode: "prefer")
        let snapshot = ClusterSnapshot(
            takenAt: Date(),
            server: ServerFacts(version: cluster.version, versionString: "PostgreSQL", systemIdentifier: "1", dataDirectory: cluster.dataDirectory,
                                configFile: "", hbaFile: cluster.hbaFile, identFile: "", listenAddresses: "*", port: cluster.port,
                                confLoadTime: nil, postmasterStartTime: nil, inRecovery: false),
            privileges: Privileges(role: "postgres", isSuperuser: true, readAllStats: true, readAllSettings: true, signalBackend: true),
            own: own,
            settings: [Setting(name: "ssl", value: "on", context: "sighup", source: "configuration file"),
                       Setting(name: "ssl_min_protocol_version", value: "TLSv1.2", context: "sighup", source: "default")],
            fileSettings: [],
            hbaRules: [HBAFileRule(lineNumber: 2, type: "local", database: ["all"], userName: ["postgres"], address: nil, netmask: nil,
                                   authMethod: "trust", options: nil, error: nil)],
            sessions: sessions, fileAccess: FileAccess(hbaReadable: true, sameHostVerified: true, problem: nil))
        let teams = (1...(ruleCount / 50 + 1)).map { "team\($0)" }
        return PlanningInput(snapshot: snapshot, tls: TLSObservation(availability: .offered, servedFingerprint: "F"),
                             hba: .readable(bytes: Array(text.utf8), files: InMemoryFiles()),
                             certificates: CertificateFacts(condition: .usable, certificatePath: "c", keyPath: "k", fingerprint: "F"),
                             roles: RoleFacts(roles: Set(teams + sessions.compactMap(\.user) + ["postgres"]), members: [:]),
                             interfaces: [])
    }
}
