import Foundation
import PostgresClient
import SQLCatalogue
import ClusterFacts

/// The confirmation's look at 18's logins in progress under the old rules
/// (docs/POSTGRES.md, "18 lists connections still authenticating"). Those
/// stalled right after the reload were ended then; one whose client sent
/// its startup packet since, or that was younger, is ended now once it has
/// been at it for a second (a login is normally over by then, admitted or
/// refused: admitted, it is a session).
enum OldRuleLogins {
    /// Ends them and lists what is left: only logins that survived a signal
    /// (or whose packet came in the last instant). `counts` says which client
    /// addresses matter (loopback may be plain by policy). Nothing before 18.
    static func endAndList(before loaded: Double, _ connection: Connection, version: ServerVersion,
                           counts: (String?) -> Bool) throws(PostgresError) -> (ended: [EndedLogin], left: [Int32]) {
        guard let attempts = SQLText.attemptsBefore(version) else { return ([], []) }
        var ended: [EndedLogin] = []
        var left: [Int32] = []
        var waited = false
        for _ in 0..<4 {
            let outcome = try SessionTermination.endAttempts(before: loaded, connection, version: version)
            ended += outcome.ended
            var notSignalled: Double?
            left = []
            for row in try connection.query(attempts, [loaded]).rows where counts(try row.optionalString("client_address")) {
                let pid = try row.int32("pid")
                left.append(pid)
                if !outcome.stillThere.contains(pid) { notSignalled = try row.optionalDouble("server_now") ?? 0 }
            }
            guard let now = notSignalled else { break }
            // Every login in scope began before the load + 1 s: from the load + 2 s on, each has had its
            // second. One not signalled yet is younger (or its packet came just now): wait that long, once.
            if !waited {
                waited = true
                let stalled = SessionTermination.stalledSeconds
                Thread.sleep(forTimeInterval: min(2 * stalled, max(0, loaded + 2 * stalled + 0.02 - now)))
            }
        }
        return (ended, left)
    }
}
