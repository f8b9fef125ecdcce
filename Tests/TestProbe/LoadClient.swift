import Foundation
import PostgresClient

/// `pgsw-probe load`: clients that behave like a busy application for a
/// fixed time, then print what they lived through as one JSON object. Each
/// transaction is BEGIN, a wait inside it (the application's work while it
/// holds the transaction), an UPDATE, COMMIT, then a short pause outside
/// any transaction (the application between requests). A transaction is
/// "cut" when its connection is lost after BEGIN succeeded and before COMMIT
/// did; a connection lost at BEGIN lost no work and is counted apart.
/// SIGTERM ends them after the transactions under way, and they report.
struct LoadOptions {
    var seconds = 20.0
    var conninfo = ""
    var clients = 4
    /// A new connection for every transaction (like `pgbench -C`).
    var connectEach = false
    var insideMilliseconds = 150
    var thinkMilliseconds = 20
    /// Which row of `pgsw_load` each client updates: clients get `firstRow`, `firstRow + 1`, ...
    var firstRow = 1

    static let usage = "load SECONDS CONNINFO [--clients N] [--connect-each] [--inside-ms N] [--think-ms N] [--first-row N]"

    init?(_ arguments: [String]) {
        guard arguments.count >= 2, let seconds = Double(arguments[0]) else { return nil }
        self.seconds = seconds
        conninfo = arguments[1]
        var rest = arguments.dropFirst(2).makeIterator()
        while let flag = rest.next() {
            switch flag {
            case "--connect-each": connectEach = true
            case "--clients": guard let value = rest.next().flatMap(Int.init) else { return nil }; clients = value
            case "--inside-ms": guard let value = rest.next().flatMap(Int.init) else { return nil }; insideMilliseconds = value
            case "--think-ms": guard let value = rest.next().flatMap(Int.init) else { return nil }; thinkMilliseconds = value
            case "--first-row": guard let value = rest.next().flatMap(Int.init) else { return nil }; firstRow = value
            default: return nil
            }
        }
    }
}

/// What the load clients report: counts, and every finished transaction
/// (start as seconds since the epoch, its latency, whether it ran over SSL)
/// for latency per second before, during and after a window.
struct LoadReport: Encodable {
    var committed = 0
    var cut = 0
    /// Connections lost at BEGIN: the session was ended between transactions.
    var lostBetweenTransactions = 0
    var connectFailures = 0
    var connectFailureMessages: [String] = []
    var cutMessages: [String] = []
    var transactions: [[Double]] = []

    enum CodingKeys: String, CodingKey {
        case committed, cut, transactions
        case lostBetweenTransactions = "lost_between_transactions"
        case connectFailures = "connect_failures"
        case connectFailureMessages = "connect_failure_messages"
        case cutMessages = "cut_messages"
    }
}

final class LoadClients: @unchecked Sendable {
    private let options: LoadOptions
    private let lock = NSLock()
    private var report = LoadReport()

    init(_ options: LoadOptions) { self.options = options }

    private var stopped = false

    /// Ends the clients after their transaction under way (SIGTERM).
    func stop() { lock.withLock { stopped = true } }
    private var isStopped: Bool { lock.withLock { stopped } }

    /// Runs until `stop` or for at most `seconds`.
    func run() -> LoadReport {
        let deadline = Date().addingTimeInterval(options.seconds)
        let group = DispatchGroup()
        for index in 0..<options.clients {
            group.enter()
            let thread = Thread { [self] in
                clientLoop(row: options.firstRow + index, until: deadline)
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return lock.withLock { report }
    }

    private func record(_ change: (inout LoadReport) -> Void) { lock.withLock { change(&report) } }

    private func clientLoop(row: Int, until deadline: Date) {
        var connection: Connection?
        var random = SystemRandomNumberGenerator()
        while Date() < deadline && !isStopped {
            if connection == nil {
                do {
                    connection = try Connection.connect(try ConnectionTarget(options.conninfo), timeoutSeconds: 5)
                } catch {
                    record { $0.connectFailures += 1; if $0.connectFailureMessages.count < 20 { $0.connectFailureMessages.append("\(error)") } }
                    Thread.sleep(forTimeInterval: 0.1)
                    continue
                }
            }
            guard let session = connection else { continue }
            let start = Date()
            do {
                _ = try session.query("BEGIN")
            } catch {
                session.close()
                connection = nil
                record { $0.lostBetweenTransactions += 1 }
                continue
            }
            do {
                _ = try session.query("SELECT pg_catalog.pg_sleep($1::float8 / 1000)", [options.insideMilliseconds])
                _ = try session.query("UPDATE public.pgsw_load SET n = n + 1 WHERE id = $1::int", [row])
                _ = try session.query("COMMIT")
                let latency = Date().timeIntervalSince(start)
                let ssl = session.sslInUse
                record { $0.committed += 1; $0.transactions.append([start.timeIntervalSince1970, latency, ssl ? 1 : 0]) }
            } catch {
                session.close()
                connection = nil
                record { $0.cut += 1; if $0.cutMessages.count < 20 { $0.cutMessages.append("\(error)") } }
                continue
            }
            if options.connectEach {
                session.close()
                connection = nil
            }
            // Jittered so that the clients do not move in step.
            let pause = Double(options.thinkMilliseconds) * Double.random(in: 0.5...1.5, using: &random) / 1000
            Thread.sleep(forTimeInterval: pause)
        }
        connection?.close()
    }
}
