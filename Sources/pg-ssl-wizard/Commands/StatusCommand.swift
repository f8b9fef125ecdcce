import ArgumentParser
import Certificates
import ClusterFacts
import Executor
import Foundation
import HostIO
import PlanningInputs
import PostgresClient

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Read-only report: SSL settings, sessions, and whether SSL is enforced.",
        discussion: """
            Exit codes follow the monitoring-plugin convention: 0 enforced, 1 warning \
            (non-SSL TCP sessions, the served certificate expiring within --cert-warn-days), \
            2 critical (ssl off or TLS not working, the certificate expired or expiring within \
            --cert-crit-days), 3 unknown (cannot connect, not enough privilege).
            """)

    @Argument(help: "libpq connection string or URI (PG* variables, .pgpass and services apply).")
    var conninfo: String = ""

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Add the compliance items (CIS PostgreSQL 16/17, DISA STIG, PCI DSS 4.2.1) with their evidence; tries one plain-text login over TCP with a throwaway user and no password, which the server logs as a refusal.")
    var compliance = false
    @Option(help: "Warn (exit 1) when the served certificate expires within this many days.") var certWarnDays = 30
    @Option(help: "Critical (exit 2) when the served certificate expires within this many days, or has expired.") var certCritDays = 7

    func validate() throws {
        guard certCritDays >= 0, certWarnDays >= certCritDays else {
            throw ValidationError("--cert-warn-days \(certWarnDays) and --cert-crit-days \(certCritDays): use 0 <= crit <= warn")
        }
    }

    func run() throws {
        let target = try failingWithUnknown { try operatorTarget(conninfo) }
        // Put together and rendered while the operator's session is open; printed after it ends
        // (StatusCheck.run), so a slow reader of the output never holds it. The compliance items
        // try a login of their own: after it ends too, so that login finds the operator's slot free.
        let (finished, rendered) = try failingWithUnknown {
            try StatusCheck.run(target) { checked, certificate in
                let finished = assemble(checked, servedCertificate: certificate)
                return (finished, compliance ? nil : render(finished))
            }
        }
        print(rendered ?? render(withCompliance(finished, target: target)))
        throw ExitCode(finished.exitCode)
    }

    /// The report with what this host adds to it.
    struct Finished {
        var report: StatusReport
        var pendingKeep: PendingKeepDocument?

        /// Rules waiting for "keep" warn; live rules nothing will put back nor confirm are critical.
        var exitCode: Int32 {
            var code = report.assessment.verdict.exitCode
            if let pendingKeep { code = max(code, ["unguarded", "revert_failed"].contains(pendingKeep.state) ? 2 : 1) }
            if let expiry = report.certificateExpiry { code = max(code, expiry.level.exitCode) }
            return code
        }
    }

    func withCompliance(_ finished: Finished, target: ConnectionTarget) -> Finished {
        var added = finished
        added.report.compliance = Compliance.items(Self.complianceFacts(finished.report, target: target))
        return added
    }

    /// The served certificate's expiry, a pending "keep" and the latest run's clients, added to the report.
    func assemble(_ checked: StatusReport, servedCertificate: CertificateSummary?) -> Finished {
        var report = checked
        // The certificate is the one a handshake was served, not the file: what clients see.
        report.certificateExpiry = servedCertificate.map {
            CertificateExpiry(subject: $0.subject, notAfter: $0.notAfter, now: Date(), warnDays: certWarnDays, criticalDays: certCritDays)
        }
        let directory = StateDirectory.existing(systemIdentifier: report.snapshot.server.systemIdentifier)
        let document = directory.flatMap(PendingKeep.find).map(Self.document)
        // Which clients the latest run ended came back over SSL: the prefer ones moved by themselves.
        if let latest = directory.flatMap({ try? RunStore($0).latest() }), latest.terminated.contains(where: { !$0.walsender }) {
            report.lastRunClients = TerminatedClientsDocument.compare(
                run: latest.run, terminated: latest.terminated.filter { !$0.walsender }.map { ($0.user, $0.clientAddress, $0.applicationName) },
                sessions: report.snapshot.sessions)
        }
        return Finished(report: report, pendingKeep: document)
    }

    func render(_ finished: Finished) -> String {
        let report = finished.report
        return json ? report.json(pendingKeep: finished.pendingKeep)
            : report.text() + (report.certificateExpiry.map { "\n" + $0.text } ?? "") + (report.lastRunClients.map { "\n" + $0.text } ?? "")
                + (report.compliance.map { "\n\nCompliance (each item with its evidence):\n" + Compliance.text($0).joined(separator: "\n") } ?? "")
                + (finished.pendingKeep.map { "\n\n" + $0.message } ?? "")
    }

    /// The facts the compliance items are judged on, read now: settings, the handshake, a live
    /// plain-text login, the walsenders, the key file (on the database host) and the served certificate.
    static func complianceFacts(_ report: StatusReport, target: ConnectionTarget) -> ComplianceFacts {
        let snapshot = report.snapshot
        var refused: Bool?
        var evidence = "not tried: the server has no TCP address to try"
        if let host = TLSProbe.tcpHost(server: snapshot.server, own: snapshot.own) {
            switch PlainTextRefusal.test(target.with("host", host).with("hostaddr", host).with("port", String(snapshot.server.port))) {
            case .refused(let message): refused = true; evidence = "refused (\(message))"
            case .admitted: refused = false; evidence = "admitted by pg_hba.conf"
            case .otherFailure(let message): refused = false; evidence = "failed for another reason: \(message)"
            }
        }
        var keyProblems: [String]?
        if snapshot.fileAccess.sameHostVerified {
            let files = ServerSSLFiles.from(snapshot)
            keyProblems = KeyFilePermissions.findings(for: FileSnapshots.read(files.key), serverUser: files.serverUser).map(\.message)
        }
        return ComplianceFacts(sslOn: snapshot.sslSettingOn, tlsWorks: report.assessment.tls == .offered,
                               minimumTLS: snapshot.setting("ssl_min_protocol_version")?.value ?? "TLSv1.2",
                               plainLoginRefused: refused, plainLoginEvidence: evidence,
                               walsenders: snapshot.sessions.filter { $0.isClient && $0.isWalsender }.map { ($0.applicationName ?? "", $0.ssl == true) },
                               keyFileProblems: keyProblems, certificateExpiry: report.certificateExpiry)
    }

    static func document(_ pending: PendingKeep) -> PendingKeepDocument {
        switch pending.guarding {
        case .armed(let pid, let revertAt):
            return PendingKeepDocument(run: pending.record.run, state: "armed", watchdogPID: pid, revertAt: revertAt, message: pending.description)
        case .unguarded(let pid):
            return PendingKeepDocument(run: pending.record.run, state: "unguarded", watchdogPID: pid, revertAt: nil, message: pending.description)
        case .reverted(let failure):
            return PendingKeepDocument(run: pending.record.run, state: failure == nil ? "reverted" : "revert_failed", watchdogPID: pending.arm.pid,
                                       revertAt: nil, message: pending.description)
        }
    }
}
