import ClusterFacts
import Foundation
import HBA

/// What inspection found for each step, with where each fact comes from
/// (a setting and its file:line, the certificate on disk, the rules that
/// admit plain text today): the "Found" of a step screen. What the step
/// will do is the plan's business; nothing here repeats it.
struct StepFindings {
    let input: PlanningInput
    let hba: HBAPlan
    let impact: Impact

    func found(_ step: StepName) -> [String] {
        switch step {
        case .preflight: return []
        case .certs: return certificates()
        case .sslOn: return settings()
        case .hbaRewrite: return plainTextRules()
        case .reloadOrRestart: return loading()
        case .terminateNonSSL: return plainSessions()
        case .confirm: return sessionCounts()
        }
    }

    func certificates() -> [String] {
        let facts = input.certificates
        var lines: [String] = []
        if let subject = facts.subject, let notAfter = facts.notAfter {
            let days = Int(notAfter.timeIntervalSince(input.snapshot.takenAt) / 86_400)
            lines.append("certificate \(facts.certificatePath) (ssl_cert_file): \(subject), expires \(Self.day(notAfter)) (in \(days) days)"
                         + (facts.fingerprint.map { ", SHA-256 \($0)" } ?? ""))
        } else {
            let state: String
            switch facts.condition {
            case .usable: state = "usable" + (facts.fingerprint.map { ", SHA-256 \($0)" } ?? "")
            case .missing: state = "none there"
            case .broken: state = "not usable"
            }
            lines.append("certificate \(facts.certificatePath) (ssl_cert_file): " + state)
        }
        lines.append("key \(facts.keyPath) (ssl_key_file)" + (facts.keyPermissionFix.map { ": mode 0\(String($0.currentMode, radix: 8)), owner \($0.currentOwner)" } ?? ""))
        lines.append(facts.caPath.map { "ssl_ca_file \($0): the CA the server trusts for client certificates (never touched)" }
                     ?? "ssl_ca_file: not set (no client certificates are requested)")
        lines += facts.problems.map { "problem: \($0)" }
        lines += facts.warnings.map { "warning: \($0)" }
        return lines
    }

    func settings() -> [String] {
        var lines = ["ssl", "ssl_min_protocol_version"].compactMap { name -> String? in
            guard let setting = input.snapshot.setting(name) else { return nil }
            return "\(name) = \(setting.value.isEmpty ? "''" : setting.value) (\(Self.source(setting)))"
        }
        switch input.tls.availability {
        case .offered: lines.append("a TLS handshake succeeds today" + (input.tls.servedFingerprint.map { ", serving SHA-256 \($0)" } ?? ""))
        case .refused: lines.append("the server refuses TLS today (it answers an SSLRequest with N)")
        case .notProbed(let why): lines.append("TLS not tried: \(why)")
        }
        return lines
    }

    /// The lines that let plain text in today, as they are written.
    func plainTextRules() -> [String] {
        let rules = hba.current.rules.filter { rule in
            [.host, .hostnogssenc, .hostnossl].contains(rule.connectionType) && rule.method != .reject
        }
        guard !rules.isEmpty else { return ["no line admits plain-text TCP today"] }
        var lines = rules.prefix(12).map { rule in "\(rule.file):\(rule.lineNumber): \(text(of: rule))" }
        if rules.count > 12 { lines.append("... and \(rules.count - 12) more") }
        lines.insert("\(rules.count) line(s) admit plain-text TCP today:", at: 0)
        return lines
    }

    func loading() -> [String] {
        let server = input.snapshot.server
        var lines = ["configuration last loaded " + (server.confLoadTime.map(Self.time) ?? "(unknown)")]
        let pending = input.snapshot.settings.filter(\.pendingRestart).map(\.name)
        lines.append(pending.isEmpty ? "no setting waits for a restart" : "waiting for a restart already: " + pending.joined(separator: ", "))
        return lines
    }

    func plainSessions() -> [String] {
        let plain = input.snapshot.sessions.filter { $0.isClient && $0.isPlainTCP && $0.pid != input.snapshot.own.pid }
        guard !plain.isEmpty else { return ["no plain-text TCP session now"] }
        var byClient: [String: Int] = [:]
        for session in plain {
            byClient["\(session.user ?? "?")@\(session.clientAddress ?? "?")" + (session.isWalsender ? " (walsender)" : ""), default: 0] += 1
        }
        return ["\(plain.count) plain-text TCP session(s) now:"] + byClient.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
    }

    func sessionCounts() -> [String] {
        let counts = SessionCounts(input.snapshot.sessions.filter { $0.isClient && $0.pid != input.snapshot.own.pid })
        let versions = TLSVersions.counts(input.snapshot.sessions).sorted { $0.key > $1.key }.map { "\($0.key) \($0.value)" }
        return ["now: \(counts.ssl) SSL, \(counts.nonSSLTCP) plain TCP, \(counts.unixSocket) unix-socket session(s)",
                "TLS versions now: " + (versions.isEmpty ? "none" : versions.joined(separator: ", "))]
    }

    func text(of rule: HBARule) -> String {
        guard let bytes = hba.result.originals[rule.file],
              let line = hba.current.lines.first(where: { $0.rule == rule })?.tokenized,
              line.span.start < line.span.end, line.span.end <= bytes.count else { return "\(rule.connectionType.rawValue) ..." }
        let raw = String(decoding: bytes[line.span.start..<line.span.end], as: UTF8.self)
        return raw.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? raw
    }

    static func source(_ setting: Setting) -> String {
        if let file = setting.sourceFile, let line = setting.sourceLine { return "\(file):\(line)" }
        return setting.source == "default" ? "the default" : "from \(setting.source)"
    }

    static func day(_ date: Date) -> String { String(JSONTime.text(date).prefix(10)) }
    static func time(_ date: Date) -> String { JSONTime.text(date) }
}
