import ClusterFacts
import Enforcement
import Foundation
import PostgresClient
import SQLCatalogue

/// One session the terminate step signalled, and the state it was in.
public struct SessionEnding: Hashable, Sendable {
    public var pid: Int32
    public var walsender: Bool
    public var user: String?
    public var applicationName: String?
    public var clientAddress: String?
    public var activity: BackendActivity
    /// How long its transaction had been open when it was signalled (nil outside one).
    public var transactionSeconds: Double?
    public var at: Date

    /// Whether the signal cut a transaction in half; a walsender runs none. nil when the server did not say.
    public var cutInsideTransaction: Bool? { walsender ? false : activity.insideTransaction }
}

/// What the terminate step did: the sessions it ended, and any still there after the wait.
public struct TerminationOutcome: Sendable {
    public var ended: [SessionEnding]
    public var remaining: [Int32]
}

/// Step 5 on a live server: re-read which planned pids are still plain-text
/// TCP (a session that reconnected with SSL since the plan is spared), end
/// each at a moment it is outside a transaction, and confirm they are gone.
/// Never the caller's own backend, never a unix-socket session: the query
/// itself cannot return those.
public enum SessionTermination {
    /// How often the sessions still inside a transaction are looked at
    /// during the grace: an application's pause between two transactions
    /// is often a few tens of milliseconds, so a slower look would miss it.
    static let boundaryPollSeconds = 0.005
    /// How often the signalled sessions are looked for until they are gone.
    static let exitPollSeconds = 0.003

    /// When each planned backend started (`TerminateTarget.backendStartMicroseconds`),
    /// by pid: every statement below takes a pid as the planned backend only
    /// if it started then, so a session that got the number since is left
    /// alone (docs/POSTGRES.md, "Ending a session between transactions"). A
    /// pid missing here is taken as it is.
    public typealias BackendStarts = [Int32: Int64]

    /// The starts aligned with `pids`, as the statements take them.
    static func startsParameter(_ pids: [Int32], _ starts: BackendStarts) -> OptionalInt64Array {
        OptionalInt64Array(starts.isEmpty ? [] : pids.map { starts[$0] })
    }

    /// The planned pids still in plain text, or on a TLS version below the
    /// run's floor (`weakVersions`): refused on their next connection, ended now.
    public static func stillExposed(_ connection: Connection, among pids: [Int32], weakVersions: [String],
                                    starts: BackendStarts = [:]) throws(PostgresError) -> [Int32] {
        guard !pids.isEmpty else { return [] }
        return try connection.query(SQLText.stillExposedAmong, [pids, weakVersions.joined(separator: ","), startsParameter(pids, starts)]).rows
            .map { row throws(PostgresError) in try row.int32("pid") }
    }

    /// 18: ends the TCP logins in progress for a second or more that began
    /// before `loaded` (the postmaster's load of the hostssl rules, seconds
    /// since 1970 by the server's clock) or within a second after: the pids
    /// signalled and gone, and those still there after two seconds. They
    /// meet the rules loaded before, which may admit them in plain text, and
    /// neither their user nor their encryption shows yet; such a login
    /// fails, and a retry meets the rules loaded now (docs/POSTGRES.md, "18
    /// lists connections still authenticating").
    public static func endAttempts(before loaded: Double, _ connection: Connection,
                                   version: ServerVersion) throws(PostgresError) -> (ended: [EndedLogin], stillThere: [Int32]) {
        guard let statement = SQLText.endAttemptsBefore(version) else { return ([], []) }
        var signalled: [(pid: Int32, address: String?)] = []
        for row in try connection.query(statement, [loaded, stalledSeconds]).rows where try row.bool("signalled") {
            signalled.append((try row.int32("pid"), try row.optionalString("client_address")))
        }
        let remaining = try waitUntilGone(connection, signalled.map(\.pid), until: Date().addingTimeInterval(2))
        let gone = Date()
        return (signalled.filter { !remaining.contains($0.pid) }.map { EndedLogin(pid: $0.pid, clientAddress: $0.address, at: gone) }, remaining)
    }

    /// How long a login must have been in progress to be ended: one normally
    /// takes milliseconds (docs/POSTGRES.md, "18 lists connections still authenticating").
    public static let stalledSeconds = 1.0

    /// The journal's words for `endAttempts`: nothing when there was nothing to end.
    public static func journalDetail(_ outcome: (ended: [EndedLogin], stillThere: [Int32])) -> [String: String] {
        var detail: [String: String] = [:]
        if !outcome.ended.isEmpty { detail["ended_attempts"] = outcome.ended.map { String($0.pid) }.joined(separator: ",") }
        if !outcome.stillThere.isEmpty { detail["attempts_still_there"] = outcome.stillThere.map(String.init).joined(separator: ",") }
        return detail
    }

    /// Without a grace: every exposed pid is signalled at once. Returns those still there after the wait.
    public static func terminate(_ connection: Connection, _ pids: [Int32], weakVersions: [String], timeoutMilliseconds: Int,
                                 version: ServerVersion, starts: BackendStarts = [:]) throws(PostgresError) -> [Int32] {
        var signalled: [SessionEnding] = []
        return try endAtTransactionBoundaries(connection, pids, weakVersions: weakVersions, graceSeconds: 0, timeoutMilliseconds: timeoutMilliseconds,
                                              version: version, starts: starts, signalled: &signalled).remaining
    }

    /// Ends each exposed pid at its first moment outside a transaction seen
    /// within `graceSeconds` (walsenders at once), the rest at the deadline,
    /// recording the state each was signalled in (docs/POSTGRES.md, "Ending a
    /// session between transactions"). `progress` hears each look.
    ///
    /// Every signal is sent without waiting: with a timeout,
    /// `pg_terminate_backend(pid, timeout)` polls every 100 ms per pid, one
    /// after another, which alone would stretch the exposure window to 0.1 s
    /// per session. A session still there after a moment gets the version's
    /// wait: `pg_terminate_backend(pid, timeout)` on 14+, polling on 13.
    ///
    /// `signalled` gets each session as its row comes back signalled, so
    /// that a caller whose statement failed halfway (the connection lost
    /// during the grace) still knows whom the step signalled.
    public static func endAtTransactionBoundaries(_ connection: Connection, _ pids: [Int32], weakVersions: [String], graceSeconds: Double,
                                                  timeoutMilliseconds: Int, version: ServerVersion, starts: BackendStarts = [:],
                                                  signalled ended: inout [SessionEnding],
                                                  progress: (TerminationProgress) -> Void = { _ in }) throws(PostgresError) -> TerminationOutcome {
        let deadline = Date().addingTimeInterval(graceSeconds)
        let weak = weakVersions.joined(separator: ",")
        var waiting = pids
        while !waiting.isEmpty {
            let atDeadline = Date() >= deadline
            let rows = try connection.query(SQLText.endExposedAtBoundary, [waiting, weak, atDeadline, startsParameter(waiting, starts)]).rows
            let now = Date()
            var busy: [Int32] = []
            for row in rows {
                let pid = try row.int32("pid")
                // Not signalled at the deadline: the backend had just exited by itself.
                guard try row.bool("signalled") else { if !atDeadline { busy.append(pid) }; continue }
                ended.append(SessionEnding(pid: pid, walsender: try row.optionalString("backend_type") == "walsender",
                                           user: try row.optionalString("usename"), applicationName: try row.optionalString("application_name"),
                                           clientAddress: try row.optionalString("client_address"),
                                           activity: BackendActivity(pgStatActivity: try row.optionalString("state")),
                                           transactionSeconds: try row.optionalDouble("transaction_seconds"), at: now))
            }
            waiting = busy
            progress(TerminationProgress(endedIdle: ended.filter { !$0.walsender && $0.cutInsideTransaction == false }.count,
                                         stillBusy: busy.count, cut: ended.filter { $0.cutInsideTransaction != false }.count,
                                         walsenders: ended.filter(\.walsender).count, deadline: deadline))
            if !waiting.isEmpty { Thread.sleep(forTimeInterval: boundaryPollSeconds) }
        }
        let signalled = ended.map(\.pid)
        let waitUntil = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        var remaining = try waitUntilGone(connection, signalled, until: min(waitUntil, Date().addingTimeInterval(0.5)), starts: starts)
        for pid in remaining {
            // Checked again here: on 14+ each call may wait out the timeout, and a later one's backend may have exited meanwhile.
            _ = try connection.query(SQLText.terminate(pid, backendStartMicroseconds: starts[pid], timeoutMilliseconds: timeoutMilliseconds,
                                                       version: version))
        }
        remaining = try waitUntilGone(connection, remaining, until: waitUntil, starts: starts)
        return TerminationOutcome(ended: ended, remaining: remaining)
    }

    static func waitUntilGone(_ connection: Connection, _ pids: [Int32], until deadline: Date,
                              starts: BackendStarts = [:]) throws(PostgresError) -> [Int32] {
        var remaining = try present(connection, pids, starts: starts)
        while !remaining.isEmpty && Date() < deadline {
            // Backends exit within milliseconds of the signal; this look closes the exposure window.
            Thread.sleep(forTimeInterval: exitPollSeconds)
            remaining = try present(connection, remaining, starts: starts)
        }
        return remaining
    }

    static func present(_ connection: Connection, _ pids: [Int32], starts: BackendStarts = [:]) throws(PostgresError) -> [Int32] {
        guard !pids.isEmpty else { return [] }
        return try connection.query(SQLText.stillPresent, [pids, startsParameter(pids, starts)]).rows
            .map { row throws(PostgresError) in try row.int32("pid") }
    }
}
