import Foundation

/// Runs in-process code (libpq, the handshakes, the children it spawns) in a
/// lab's network namespace, where a test's server can let everyone in over
/// loopback: that loopback is the lab's, which no other local user reaches,
/// as they would reach the host's 127.0.0.1. setns(2) moves only the calling
/// thread, so `body` runs on a thread of its own that ends with it; threads
/// and processes it starts are in the namespace too (a clone takes its
/// caller's namespaces). Unix sockets are files: the cluster's socket is the
/// same from everywhere.
public enum InNetworkNamespace {
    public static func run<T>(_ namespace: String, _ body: () throws -> T) throws -> T {
        let descriptor = open("/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TestEnvironment.Missing(description: "network namespace \(namespace): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        return try withoutActuallyEscaping(body) { body in
            var outcome: Result<T, any Error>?
            let work = Work(namespace: descriptor) { outcome = Result { try body() } }
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { raw in
                let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
                if InNetworkNamespace.setns(work.namespace, InNetworkNamespace.newNetwork) == 0 { work.body() } else { work.setnsError = errno }
                return nil
            }, Unmanaged.passRetained(work).toOpaque())
            guard started == 0 else { throw TestEnvironment.Missing(description: "pthread_create: \(String(cString: strerror(started)))") }
            pthread_join(thread, nil)
            if let code = work.setnsError {
                throw TestEnvironment.Missing(description: "setns into \(namespace): \(String(cString: strerror(code)))")
            }
            guard let outcome else { throw TestEnvironment.Missing(description: "the body in \(namespace) did not run") }
            return try outcome.get()
        }
    }

    /// glibc's setns(2), which Swift's Glibc module leaves out (it is a
    /// _GNU_SOURCE declaration), and the kernel's CLONE_NEWNET.
    private typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNamespace = {
        guard let symbol = dlsym(nil, "setns") else { fatalError("the C library has no setns") }
        return unsafeBitCast(symbol, to: SetNamespace.self)
    }()
    private static let newNetwork: Int32 = 0x4000_0000

    /// What the thread runs, handed over as one retained object.
    private final class Work: @unchecked Sendable {
        let namespace: Int32
        let body: () -> Void
        var setnsError: Int32?

        init(namespace: Int32, body: @escaping () -> Void) {
            self.namespace = namespace
            self.body = body
        }
    }
}
