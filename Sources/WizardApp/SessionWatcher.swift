import ClusterFacts
import Foundation
import PostgresClient
import WizardUI

/// Reads the sessions every 1.5 s on its own thread and connection, so the
/// input loop never waits for the server. Its own session is left out of
/// the counts. A plain TCP connection is made afresh each time, so once
/// SSL is on it moves to SSL and never lingers as a plain session the
/// confirm step would count.
final class SessionWatcher: @unchecked Sendable {
    private let target: ConnectionTarget
    private let inbox: Inbox
    private let interval: TimeInterval
    private let lock = NSLock()
    private var stopped = false
    private var started = false
    /// Cuts the pause between two reads short when the watcher is stopped.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled once the thread has closed its connection and returned.
    private let finished = DispatchSemaphore(value: 0)

    init(target: ConnectionTarget, inbox: Inbox, interval: TimeInterval = 1.5) {
        self.target = target.with("application_name", "pg-ssl-wizard sessions view")
        self.inbox = inbox
        self.interval = interval
    }

    func start() {
        lock.lock(); started = true; lock.unlock()
        let thread = Thread { [self] in
            loop()
            finished.signal()
        }
        thread.name = "sessions view"
        thread.start()
    }

    /// Stops the reads and waits, at most `seconds`, for the thread to close
    /// its connection. The process exits soon after: a thread still inside
    /// libpq then meets the exit-time teardown of the libraries it is in
    /// (Kerberos, LDAP), which can crash the exit and change its status.
    func stop(waitingAtMost seconds: Double = 2) {
        lock.lock()
        stopped = true
        let running = started
        lock.unlock()
        wake.signal()
        if running { _ = finished.wait(timeout: .now() + seconds) }
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    private func loop() {
        var connection: Connection?
        while !isStopped {
            do {
                if connection == nil { connection = try Connection.connect(target, timeoutSeconds: 5) }
                if let current = connection {
                    let own = try current.ownSession()
                    let sessions = try ServerInspector(connection: current).readSessions().filter { $0.pid != own.pid }
                    inbox.post(.sessions(LiveSessions(sessions: sessions, at: Date())))
                    if own.transport == .tcp && !own.ssl { current.close(); connection = nil }
                }
            } catch {
                connection?.close()
                connection = nil
                inbox.post(.sessionsUnavailable(operatorMessage(for: error)))
            }
            _ = wake.wait(timeout: .now() + interval)
        }
        connection?.close()
    }
}
