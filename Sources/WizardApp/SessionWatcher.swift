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

    init(target: ConnectionTarget, inbox: Inbox, interval: TimeInterval = 1.5) {
        self.target = target.with("application_name", "pg-ssl-wizard sessions view")
        self.inbox = inbox
        self.interval = interval
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "sessions view"
        thread.start()
    }

    func stop() { lock.lock(); stopped = true; lock.unlock() }

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
            Thread.sleep(forTimeInterval: interval)
        }
        connection?.close()
    }
}
