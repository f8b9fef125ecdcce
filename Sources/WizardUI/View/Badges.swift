import Enforcement

/// Small pieces of meaning drawn in several places: a step's badge, the
/// step rail, the bars, a stage in words.
enum Badge {
    static func badge(_ status: StepStatus, blocked: Bool) -> Span {
        switch status {
        case .satisfied: return Span("[SATISFIED]", Style(.good, bold: true))
        case .verified: return Span("[DONE]", Style(.good, bold: true))
        case .planned, .confirmed: return blocked ? Span("[BLOCKED]", Style(.bad, bold: true)) : Span("[TO DO]", Style(.warning, bold: true))
        case .applying: return Span("[APPLYING]", Style(.key, bold: true))
        case .failed: return Span("[FAILED]", Style(.bad, bold: true))
        case .rolledBack: return Span("[ROLLED BACK]", Style(.warning, bold: true))
        case .inspect: return Span("[INSPECTING]", Style(.dim))
        }
    }

    static func mark(_ status: StepStatus, blocked: Bool, unicode: Bool) -> Span {
        switch status {
        case .satisfied, .verified: return Span(unicode ? "✓" : "+", Style(.good, bold: true))
        case .applying: return Span(unicode ? "▶" : ">", Style(.key, bold: true))
        case .failed: return Span(unicode ? "✗" : "x", Style(.bad, bold: true))
        case .rolledBack: return Span("↶", Style(.warning))
        case .planned, .confirmed, .inspect: return blocked ? Span("!", Style(.bad, bold: true)) : Span(unicode ? "·" : "-", Style(.warning))
        }
    }

    static let shortNames: [StepName: String] = [
        .preflight: "Preflight", .certs: "certs", .sslOn: "ssl on", .hbaRewrite: "hostssl", .reloadOrRestart: "reload",
        .terminateNonSSL: "terminate", .confirm: "confirm",
    ]

    /// `[#####.....]`: `filled` of `total`, in `width` cells.
    static func bar(_ filled: Int, of total: Int, width: Int, unicode: Bool, on: Style = Style(.good), off: Style = Style(.dim)) -> [Span] {
        let inner = max(1, width - 2)
        let cells = total == 0 ? 0 : min(inner, Int((Double(filled) / Double(total) * Double(inner)).rounded()))
        return [Span("["), Span(String(repeating: unicode ? "█" : "#", count: cells), on),
                Span(String(repeating: unicode ? "░" : ".", count: inner - cells), off), Span("]")]
    }

    static func stage(_ stage: Stage) -> String {
        switch stage {
        case .awaitingConfirmation: return "waiting for your confirmation"
        case .checkingPreflight: return "re-checking the server"
        case .fixingKeyPermissions: return "narrowing the key's permissions"
        case .installingCertificates: return "writing the certificate files"
        case .checkingCertificates: return "reading the certificate files back"
        case .settingSSL: return "ALTER SYSTEM"
        case .checkingBeforeReload(let phase): return "checks before the reload (phase \(phase.rawValue.uppercased()))"
        case .reloading(let phase): return "reloading (phase \(phase.rawValue.uppercased()))"
        case .restarting: return "restarting the server"
        case .provingTLS: return "proving TLS with a real handshake"
        case .movingToSSL: return "moving the wizard's own connection to SSL"
        case .writingHBA: return "writing pg_hba.conf"
        case .checkingCandidateHBA: return "checking the new pg_hba.conf"
        case .armingWatchdog: return "starting the revert watchdog"
        case .deadManCheck: return "dead-man check: a new SSL connection"
        case .awaitingKeep: return "waiting for your answer"
        case .disarmingWatchdog: return "telling the watchdog to stand down"
        case .terminating, .refreshingSessions: return "terminating sessions"
        case .awaitingStandbys: return "waiting for standbys to stream over SSL"
        case .confirming: return "confirming"
        case .rollingBack(_, let step, _): return "putting back what \(step.title) changed"
        case .writingReport: return "writing the audit report"
        case .finished: return "finished"
        }
    }
}
