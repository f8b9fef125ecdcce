import Enforcement
import Foundation
import HostIO

/// How the wizard (or `keep`, or `rollback`) talks to a run's watchdog, and
/// how the watchdog says where it is: two small files in the run's state
/// directory (root's, 0700), each replaced whole by a rename, so a reader
/// never sees half a message. Every message names the run and the arming's
/// nonce: a stale file from another run or arming never matches, and
/// anything that does not parse is ignored (docs/DESIGN.md, "The keep
/// question and its watchdog").
public struct WatchdogChannel: Sendable {
    public let directory: StateDirectory
    public let run: String
    public let nonce: String

    public init(directory: StateDirectory, run: String, nonce: String) {
        self.directory = directory
        self.run = run
        self.nonce = nonce
    }

    public enum Command: Equatable, Sendable {
        /// Revert at this moment (plus the grace), unless told otherwise.
        case deadline(Date)
        /// The answer is in: exit without touching anything.
        case standDown
        /// Put pg_hba.conf back now (`rollback`, or the operator's "no").
        case revertNow
    }

    /// Where the watchdog is.
    public enum Report: Equatable, Sendable {
        case armed(pid: Int32, revertAt: Date)
        case stoodDown
        case reverted
        case revertFailed(String)
    }

    var controlPath: String { directory.watchdogControlFile(run: run) }
    var statePath: String { directory.watchdogStateFile(run: run) }

    public func send(_ command: Command) throws(FileWriteError) {
        let text: String
        switch command {
        case .deadline(let date): text = "deadline \(run) \(nonce) \(date.timeIntervalSince1970)"
        case .standDown: text = "stand-down \(run) \(nonce)"
        case .revertNow: text = "revert-now \(run) \(nonce)"
        }
        try AtomicFileWriter().write(Array((text + "\n").utf8), to: controlPath, mode: 0o600, backup: nil)
    }

    /// The latest command for this run and arming; nil when there is none or it is not one.
    public func receive() -> Command? {
        guard let fields = read(controlPath) else { return nil }
        switch fields.first {
        case "deadline": return fields.count == 4 ? Double(fields[3]).map { .deadline(Date(timeIntervalSince1970: $0)) } : nil
        case "stand-down": return fields.count == 3 ? .standDown : nil
        case "revert-now": return fields.count == 3 ? .revertNow : nil
        default: return nil
        }
    }

    public func report(_ report: Report) throws(FileWriteError) {
        let text: String
        switch report {
        case .armed(let pid, let revertAt): text = "armed \(run) \(nonce) \(pid) \(revertAt.timeIntervalSince1970)"
        case .stoodDown: text = "stood-down \(run) \(nonce)"
        case .reverted: text = "reverted \(run) \(nonce)"
        case .revertFailed(let why): text = "revert-failed \(run) \(nonce) " + why.replacingOccurrences(of: "\n", with: " ")
        }
        try AtomicFileWriter().write(Array((text + "\n").utf8), to: statePath, mode: 0o600, backup: nil)
    }

    public func lastReport() -> Report? {
        guard let fields = read(statePath, allowRest: true) else { return nil }
        switch fields.first {
        case "armed" where fields.count == 5:
            guard let pid = Int32(fields[3]), let at = Double(fields[4]) else { return nil }
            return .armed(pid: pid, revertAt: Date(timeIntervalSince1970: at))
        case "stood-down": return .stoodDown
        case "reverted": return .reverted
        case "revert-failed": return .revertFailed(fields.dropFirst(3).joined(separator: " "))
        default: return nil
        }
    }

    /// The fields of a file whose second and third fields are this run and nonce.
    private func read(_ path: String, allowRest: Bool = false) -> [String]? {
        guard let bytes = try? HostFile.read(path), bytes.last == UInt8(ascii: "\n") else { return nil }
        let fields = String(decoding: bytes.dropLast(), as: UTF8.self).split(separator: " ").map(String.init)
        guard fields.count >= 3, fields[1] == run, fields[2] == nonce else { return nil }
        return fields
    }

    /// Removes both files once the run no longer needs them.
    public func clear() {
        unlink(controlPath)
        unlink(statePath)
    }

    /// Whether `pid` is a live pg-ssl-wizard process (the kernel's view, not a pid file's).
    public static func isWizardProcess(_ pid: Int32) -> Bool {
        guard pid > 1, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let first = bytes.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        // A zombie keeps its pid until reaped but has no command line.
        return first.hasSuffix("pg-ssl-wizard")
    }
}
