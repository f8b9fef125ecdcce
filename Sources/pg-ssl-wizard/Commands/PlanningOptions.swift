import ArgumentParser
import Certificates
import Enforcement
import Executor
import HBA
import PlanningInputs

/// The planning choices `plan` and `apply` share, so a reviewed plan and
/// the applied one are made from the same options.
struct PlanningOptions: ParsableArguments {
    @Option(name: .customLong("must-keep"),
            help: "An identity that must keep access: \"user=NAME addr=IP|local [dbname=DB] [sslmode=MODE] [sslcert=yes|no] [gssencmode=disable|prefer|require] [replication=physical|logical]\" (repeatable; sslcert=yes: it presents a certificate ssl_ca_file accepts, issued to that user).")
    var mustKeep: [String] = []

    @Option(name: .customLong("operator-pid"), help: "Your interactive session's pid: protected and never terminated (repeatable).")
    var operatorPIDs: [Int32] = []

    @Flag(help: "Convert loopback host rules too (127.0.0.0/8, ::1, samehost, localhost).") var includeLoopback = false
    @Flag(help: "Append hostnossl ... reject lines so refused clients learn why.") var addReject = false
    @Flag(help: "Terminate your other plain sessions too (same user and address as this connection).") var terminateOwnSessions = false
    @Option(help: "Floor for ssl_min_protocol_version: TLSv1.2 (default) or TLSv1.3. A higher floor refuses clients that only speak older TLS (their prefer retry in plain text is refused too); the plan lists the sessions below it, ends them with the plain ones, and blocks if a protected one is among them.")
    var minTls = "TLSv1.2"
    @Option(help: "Certificate files to plan: ca (a local CA and a server certificate it signs), self-signed, or none. Default: keep a usable certificate, else ca.")
    var createCertificates: String?
    @Option(help: "Seconds the dead-man check waits for a new SSL connection after the rewrite is live.") var deadManSeconds = 10
    @Option(help: "Milliseconds pg_terminate_backend waits for each session to exit (14+).") var terminateTimeoutMs = 5000
    @OptionGroup var log: LogEvidenceOptions

    func validate() throws {
        if let createCertificates, CertificateChoice(option: createCertificates) == nil {
            throw ValidationError("--create-certificates \(createCertificates): use \(CertificateChoice.optionValues)")
        }
        if deadManSeconds < 1 || deadManSeconds > 600 { throw ValidationError("--dead-man-seconds \(deadManSeconds): use 1 to 600") }
        if terminateTimeoutMs < 0 { throw ValidationError("--terminate-timeout-ms must not be negative") }
    }

    var certificates: CertificateChoice { CertificateChoice(option: createCertificates) ?? .automatic }

    func planOptions() throws(PlanInputError) -> PlanOptions {
        var options = PlanOptions(rewritePolicy: RewritePolicy(includeLoopback: includeLoopback, addRejectLines: addReject),
                                  minimumTLS: minTls, terminateOperatorSessions: terminateOwnSessions, operatorPIDs: operatorPIDs,
                                  terminateTimeoutMilliseconds: terminateTimeoutMs, deadManSeconds: deadManSeconds)
        options.mustKeep = try mustKeep.map { spec throws(PlanInputError) in try ProtectedIdentitySpec.parse(spec) }
        options.connectionLog = log.request()
        return options
    }
}
