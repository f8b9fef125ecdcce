import ArgumentParser
import Certificates
import ClusterFacts
import Enforcement
import Executor
import Foundation
import HBA
import PostgresClient

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run: every file diff, SQL statement and affected session, and the lock-out guard's verdict.",
        discussion: """
            Changes nothing. Exit 0 when nothing is to do, 10 when there is a plan, 11 when the plan is \
            blocked (by the lock-out guard or a preflight problem; the reasons say which and the ways out), \
            3 on errors (cannot connect, bad option).
            """)

    @Argument(help: "libpq connection string or URI (PG* variables, .pgpass and services apply).")
    var conninfo: String = ""

    @Flag(help: "Print the plan as JSON.") var json = false
    @Flag(help: "Print a commented psql script of the same SQL, file diffs as comments (for change tickets).") var sql = false

    @Option(name: .customLong("must-keep"),
            help: "An identity that must keep access: \"user=NAME addr=IP|local [dbname=DB] [sslmode=MODE] [replication=physical|logical]\" (repeatable).")
    var mustKeep: [String] = []

    @Option(name: .customLong("operator-pid"), help: "Your interactive session's pid: protected and never terminated (repeatable).")
    var operatorPIDs: [Int32] = []

    @Flag(help: "Convert loopback host rules too (127.0.0.0/8, ::1, samehost, localhost).") var includeLoopback = false
    @Flag(help: "Append hostnossl ... reject lines so refused clients learn why.") var addReject = false
    @Flag(help: "Terminate your other plain sessions too (same user and address as this connection).") var terminateOwnSessions = false
    @Option(help: "Floor for ssl_min_protocol_version: TLSv1.2 (default) or TLSv1.3.") var minTls = "TLSv1.2"
    @Option(help: "Plan new certificate files: self-signed or ca (a local CA).") var createCertificates: String?

    func validate() throws {
        if json && sql { throw ValidationError("choose one of --json and --sql") }
        if let createCertificates, GenerationMode(rawValue: createCertificates) == nil || createCertificates == "csr" {
            throw ValidationError("--create-certificates \(createCertificates): use self-signed or ca")
        }
    }

    func run() throws {
        let plan = try failingWithUnknown { () throws -> Plan in
            var options = PlanOptions(rewritePolicy: RewritePolicy(includeLoopback: includeLoopback, addRejectLines: addReject),
                                      minimumTLS: minTls, terminateOperatorSessions: terminateOwnSessions, operatorPIDs: operatorPIDs)
            options.mustKeep = try mustKeep.map { spec throws(PlanInputError) in try ProtectedIdentitySpec.parse(spec) }
            let input = try PlanningInputReader.read(ConnectionTarget(conninfo), options: options,
                                                     createCertificates: createCertificates.flatMap(GenerationMode.init(rawValue:)))
            return try Planner.plan(input)
        }
        print(json ? plan.json() : sql ? plan.sqlScript() : plan.text())
        throw ExitCode(plan.exitCode)
    }
}
