import ClusterFacts
import Executor
import Foundation
import HostIO
import Sandbox
import Testing
import TestSupport

/// Every practice scenario built for real (`practice --no-ui`): its starting
/// state read back with `status --json`, `apply --yes` run on it where the
/// scenario allows, the end state checked, and `--destroy` leaving no
/// process, directory or record behind.
struct PracticeScenarioTests {
    @Test(arguments: PracticeScenario.allCases)
    func scenarioStartsAsDescribedAndIsLeftWithoutATrace(_ scenario: PracticeScenario) throws {
        try TestEnvironment.requireRoot(for: "practice clusters run as the postgres OS user")
        let wizard = try WizardRun()
        let built = try wizard.run(["practice", "--scenario", scenario.rawValue, "--no-ui"], timeoutSeconds: 180)
        #expect(built.exitCode == 0, "\(built.stdout)\n\(built.stderr)")
        let record = try #require(PracticeRecord.load(scenario, environment: ["XDG_STATE_HOME": wizard.stateHome]))
        var destroyed = false
        defer { if !destroyed { _ = try? wizard.run(["practice", "--scenario", scenario.rawValue, "--destroy"]) } }
        #expect(built.stdout.contains("operator: \(record.operatorConninfo)"))
        #expect(!built.stdout.contains("password"), "the operator's connection string names a pgpass file, never a password")

        let before = try Self.status(wizard, record.operatorConninfo)
        try Self.expectStart(scenario, before, record: record)

        let renew = scenario.startingCertificateDays == nil || scenario.renewsCertificate ? ["--create-certificates", "ca"] : []
        let apply = try wizard.run(["apply", record.operatorConninfo, "--yes", "--json", "--include-loopback"] + renew)
        if scenario == .lockedOut {
            #expect(apply.exitCode == 11, "the lock-out guard stops it: \(apply.stderr)")
            #expect(apply.stderr.contains("unix socket") || apply.stderr.contains("sslmode"), "\(apply.stderr)")
        } else {
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            try Self.expectEnd(scenario, wizard: wizard, record: record)
        }

        let destroy = try wizard.run(["practice", "--scenario", scenario.rawValue, "--destroy"])
        destroyed = true
        #expect(destroy.exitCode == 0 && destroy.stdout.contains("stopped and removed"), "\(destroy.stdout)\(destroy.stderr)")
        #expect(LeftoverProcesses.mentioning(record.roots).isEmpty, "no client loop, wrapper or server left")
        #expect(record.roots.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "no directory left")
        #expect(PracticeRecord.load(scenario, environment: ["XDG_STATE_HOME": wizard.stateHome]) == nil, "no record left")
        let again = try wizard.run(["practice", "--scenario", scenario.rawValue, "--destroy"])
        #expect(again.exitCode == 0 && again.stdout.contains("no kept \(scenario.rawValue) sandbox"))
    }

    static func status(_ wizard: WizardRun, _ conninfo: String) throws -> StatusReport.Document {
        let output = try wizard.run(["status", conninfo, "--json"])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = JSONTime.decoding
        return try decoder.decode(StatusReport.Document.self, from: Data(output.stdout.utf8))
    }

    static func plain(_ document: StatusReport.Document, _ names: [String]) -> [String] {
        document.sessions.filter { names.contains($0.applicationName ?? "") && $0.ssl == false }.compactMap(\.applicationName).sorted()
    }

    static func expectStart(_ scenario: PracticeScenario, _ status: StatusReport.Document, record: PracticeRecord) throws {
        switch scenario {
        case .basic:
            #expect(status.verdict == .sslOff)
            #expect(plain(status, ["billing", "reports", "crm"]) == ["billing", "crm", "reports"])
        case .audit:
            #expect(status.verdict == .notEnforced, "ssl is on, the rules are host")
            let apps = status.sessions.filter { ($0.applicationName ?? "").hasPrefix("app-") }
            #expect(apps.count == 10 && apps.filter { $0.ssl == false }.count == 8, "80 % plain: \(apps.map { ($0.applicationName, $0.ssl) })")
        case .replica:
            #expect(status.counts.walsenders == 1 && status.counts.walsendersNonSSL == 1, "a standby streaming without SSL")
        case .legacyClient:
            #expect(plain(status, ["legacy-erp"]) == ["legacy-erp"])
        case .lockedOut:
            #expect(status.connection.transport == .tcp && !status.connection.ssl, "the operator is on plain TCP")
        case .expiringCert:
            #expect(status.verdict == .notEnforced)
            let served = try Self.openssl(["x509", "-in", record.dataDirectories[0] + "/server.crt", "-noout", "-checkend", String(6 * 86_400)])
            #expect(served != 0, "the certificate expires within 6 days")
        }
    }

    static func expectEnd(_ scenario: PracticeScenario, wizard: WizardRun, record: PracticeRecord) throws {
        // The applications reconnect by themselves (prefer comes back over SSL, a second after being
        // terminated; the disable client keeps trying): give them a few seconds.
        let names = scenario.clientNames.filter { $0 != "legacy-erp" }
        func backOverSSL(_ status: StatusReport.Document) -> Int {
            status.sessions.filter { names.contains($0.applicationName ?? "") && $0.ssl == true }.count
        }
        func refusalLogged() -> Bool {
            scenario != .legacyClient || ((try? String(contentsOfFile: record.clientsLog, encoding: .utf8)) ?? "").contains("no encryption")
        }
        let deadline = Date().addingTimeInterval(30)
        var status = try Self.status(wizard, record.operatorConninfo)
        while (status.verdict != .enforced || backOverSSL(status) < names.count || !refusalLogged()) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            status = try Self.status(wizard, record.operatorConninfo)
        }
        #expect(status.verdict == .enforced, "\(status.reasons)")
        #expect(backOverSSL(status) == names.count, "every prefer application came back over SSL")
        switch scenario {
        case .replica:
            #expect(status.counts.walsendersSSL == 1, "the standby streams again, over SSL")
        case .legacyClient:
            let log = try String(contentsOfFile: record.clientsLog, encoding: .utf8)
            #expect(log.contains("no encryption"), "the disable client is refused and says so:\n\(log)")
        case .expiringCert:
            #expect(try Self.openssl(["x509", "-in", record.dataDirectories[0] + "/server.crt", "-noout", "-checkend", String(300 * 86_400)]) == 0,
                    "a renewed certificate")
        default:
            break
        }
    }

    static func openssl(_ arguments: [String]) throws -> Int32 {
        try ProcessRunner.run("openssl", arguments).exitCode
    }
}
