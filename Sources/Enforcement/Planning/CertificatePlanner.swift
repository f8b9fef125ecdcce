/// Step 1: keep the certificate files, fix the key's permissions, or
/// install the new files the operator chose to create.
struct CertificateStepPlan: Hashable, Sendable {
    var work: CertificateWork?
    var files: [FileChange]
    /// Problems that stop the run: no usable certificate and nothing planned to fix it.
    var problems: [String]
    var summary: String
    var details: [String]

    /// New files or settings: the server must load them (phase A) and prove them.
    var changesFiles: Bool { if case .create = work { return true } else { return false } }
    var satisfied: Bool { work == nil && problems.isEmpty }
}

enum CertificatePlanner {
    static func plan(_ facts: CertificateFacts) -> CertificateStepPlan {
        let details = facts.warnings.map { "warning: \($0)" }
        if let replacement = facts.replacement {
            let files = replacement.files.map { file in
                FileChange(path: file.path, kind: .create, step: .certs, purpose: file.purpose, diff: nil, mode: file.mode, owner: file.owner)
            }
            return CertificateStepPlan(work: .create(replacement), files: files, problems: [],
                                       summary: replacement.mode.summary
                                           + " for " + replacement.names.joined(separator: ", "),
                                       details: replacement.files.map { "\($0.path): \($0.purpose), mode \(octal($0.mode))" })
        }
        if let fix = facts.keyPermissionFix {
            let change = FileChange(path: fix.path, kind: .permissions, step: .certs,
                                    purpose: "the server refuses a key readable by others: mode \(octal(fix.currentMode)) -> \(octal(fix.mode)), owner \(fix.currentOwner) -> \(fix.owner)",
                                    diff: nil, mode: fix.mode, owner: fix.owner)
            return CertificateStepPlan(work: .fixKeyPermissions(fix), files: [change], problems: [],
                                       summary: "fix the key's permissions (\(fix.path))", details: details)
        }
        switch facts.condition {
        case .usable:
            return CertificateStepPlan(work: nil, files: [], problems: [],
                                       summary: "certificate \(facts.certificatePath) and key \(facts.keyPath) are usable"
                                           + (facts.fingerprint.map { " (SHA-256 \($0))" } ?? ""),
                                       details: details)
        case .missing, .broken:
            let what = facts.condition == .missing ? "no certificate or key where the server looks" : "the certificate files are not usable"
            let problems = facts.problems.isEmpty ? [what] : facts.problems
            return CertificateStepPlan(work: nil, files: [], problems: problems.map {
                "\($0) (or plan new files: run without --create-certificates none, or with --create-certificates ca|self-signed)"
            }, summary: what, details: details)
        }
    }

    static func octal(_ mode: UInt32) -> String { "0" + String(mode, radix: 8) }
}
