/// The practice scenarios: how each sandbox starts and what the trainee
/// must reach. Their fuller descriptions are in `Resources/scenarios/`.
public enum PracticeScenario: String, CaseIterable, Sendable, Codable {
    case basic
    case audit
    case replica
    case legacyClient = "legacy-client"
    case lockedOut = "locked-out"
    case expiringCert = "expiring-cert"

    public var goal: String {
        switch self {
        case .basic: return "every application back on SSL, plain text refused, nobody locked out"
        case .audit: return "the audit finding closed: no session without SSL although ssl was already on"
        case .replica: return "the standby streaming again, over SSL, after its walsender is terminated"
        case .legacyClient: return "spot the application pinned to sslmode=disable in the impact preview before enforcing"
        case .lockedOut: return "see the lock-out guard stop the run, and reconnect over the unix socket to enforce safely"
        case .expiringCert: return "renew the certificate that expires in 5 days, then enforce"
        }
    }

    /// The background applications and their sslmode.
    var clients: [PracticeClients.Client] {
        switch self {
        case .basic, .lockedOut:
            return ["billing", "reports", "crm"].map { PracticeClients.Client(name: $0, sslmode: "prefer") }
        case .audit:
            // Eight connected before ssl was turned on (plain), two after (SSL): 80 % plain.
            return (1...10).map { PracticeClients.Client(name: "app-\($0)", sslmode: "prefer") }
        case .replica:
            return [PracticeClients.Client(name: "billing", sslmode: "prefer")]
        case .legacyClient:
            return [PracticeClients.Client(name: "billing", sslmode: "prefer"), PracticeClients.Client(name: "reports", sslmode: "prefer"),
                    PracticeClients.Client(name: "legacy-erp", sslmode: "disable")]
        case .expiringCert:
            return ["billing", "reports"].map { PracticeClients.Client(name: $0, sslmode: "prefer") }
        }
    }

    public var clientNames: [String] { clients.map(\.name) }

    /// How many clients connect before SSL is turned on (the rest after).
    var clientsBeforeSSL: Int { self == .audit ? 8 : clients.count }

    /// SSL on with certificates at the start, and their validity in days.
    public var startingCertificateDays: Int? {
        switch self {
        case .audit: return 397
        case .expiringCert: return 5
        default: return nil
        }
    }

    var hba: String {
        var text = """
            # TYPE  DATABASE     USER      ADDRESS        METHOD
            # The operator (you) over the unix socket: never touched by the rewrite.
            local   all          all                      trust
            # Applications over TCP, with passwords, in plain text today.
            host    all          all       127.0.0.1/32   scram-sha-256
            host    all          all       ::1/128        scram-sha-256

            """
        if self == .replica { text += "# The standby's walreceiver.\nhost    replication  postgres  127.0.0.1/32   scram-sha-256\n" }
        return text
    }

    /// The operator connects over plain TCP from an address the rewrite converts.
    var operatorOverPlainTCP: Bool { self == .lockedOut }

    /// New certificates are part of the exercise.
    public var renewsCertificate: Bool { self == .expiringCert }
}
