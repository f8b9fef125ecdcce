import Foundation
import WizardUI

/// Events from the worker and the session watcher, waiting for the input loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [WizardEvent] = []

    func post(_ event: WizardEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    func take() -> [WizardEvent] {
        lock.lock()
        defer { events = []; lock.unlock() }
        return events
    }
}
