import Foundation

/// The served certificate's expiry as `status` judges it: a warning within
/// `warnDays`, critical within `criticalDays` or once expired, so a
/// monitoring check covers it through the exit code.
public struct CertificateExpiry: Hashable, Sendable, Codable {
    public enum Level: String, Hashable, Sendable, Codable {
        case ok, warning, critical

        /// The monitoring-plugin code: 0, 1, 2.
        public var exitCode: Int32 {
            switch self {
            case .ok: return 0
            case .warning: return 1
            case .critical: return 2
            }
        }
    }

    public var subject: String
    public var notAfter: Date
    /// Whole days left (negative once expired).
    public var daysLeft: Int
    public var level: Level
    public var warnDays: Int
    public var criticalDays: Int

    enum CodingKeys: String, CodingKey {
        case subject, level
        case notAfter = "not_after", daysLeft = "days_left", warnDays = "warn_days", criticalDays = "critical_days"
    }

    public init(subject: String, notAfter: Date, now: Date, warnDays: Int, criticalDays: Int) {
        self.subject = subject
        self.notAfter = notAfter
        let seconds = notAfter.timeIntervalSince(now)
        daysLeft = Int((seconds / 86_400).rounded(.down))
        self.warnDays = warnDays
        self.criticalDays = criticalDays
        if seconds <= 0 || seconds < Double(criticalDays) * 86_400 {
            level = .critical
        } else if seconds < Double(warnDays) * 86_400 {
            level = .warning
        } else {
            level = .ok
        }
    }

    public var text: String {
        let day = String(JSONTime.text(notAfter).prefix(10))
        let when = daysLeft < 0 || notAfter.timeIntervalSinceNow <= 0 ? "expired on \(day)" : "expires \(day) (in \(daysLeft) days)"
        switch level {
        case .ok: return "served certificate \(subject): \(when)"
        case .warning: return "served certificate \(subject): \(when): WARNING, within \(warnDays) days (--cert-warn-days)"
        case .critical: return "served certificate \(subject): \(when): CRITICAL" + (daysLeft < 0 ? "" : ", within \(criticalDays) days (--cert-crit-days)")
        }
    }
}
