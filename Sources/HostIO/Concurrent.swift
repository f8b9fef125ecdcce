import Foundation

/// A look that runs on a thread of its own while the caller does another
/// (two connections that do not depend on each other); `value()` waits for it.
public final class Concurrent<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Value?

    public static func start(_ body: @escaping @Sendable () -> Value) -> Concurrent<Value> {
        let pending = Concurrent<Value>()
        Thread.detachNewThread {
            pending.result = body()
            pending.done.signal()
        }
        return pending
    }

    /// Waits for the answer; later calls wait on the same signal, never read the result unguarded.
    public func value() -> Value {
        done.wait()
        defer { done.signal() }
        return result!
    }
}
