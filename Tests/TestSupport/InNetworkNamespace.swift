import Foundation

/// Runs in-process code (libpq, the handshakes, the children it spawns) in a
/// lab's network namespace, where a test's server can let everyone in over
/// loopback: that loopback is the lab's, which no other local user reaches,
/// as they would reach the host's 127.0.0.1. setns(2) moves only the calling
/// thread: this one, for the body's length, and then back, so the body keeps
/// the test's own context (a failed expectation is the test's; on a thread
/// of its own it was nobody's). Threads and processes the body starts are in
/// the namespace too (a clone takes its caller's namespaces). Unix sockets
/// are files: the cluster's socket is the same from everywhere.
public enum InNetworkNamespace {
    public static func run<T>(_ namespace: String, _ body: () throws -> T) throws -> T {
        let lab = try open(namespaceFile: "/run/netns/\(namespace)")
        defer { close(lab) }
        let home = try open(namespaceFile: "/proc/thread-self/ns/net")
        defer { close(home) }
        guard setns(lab, newNetwork) == 0 else {
            throw TestEnvironment.Missing(description: "setns into \(namespace): \(String(cString: strerror(errno)))")
        }
        defer {
            // A thread left in the lab would take later tests' TCP there.
            if setns(home, newNetwork) != 0 { fatalError("could not move this thread back from \(namespace): \(String(cString: strerror(errno)))") }
        }
        return try body()
    }

    private static func open(namespaceFile path: String) throws -> Int32 {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TestEnvironment.Missing(description: "\(path): \(String(cString: strerror(errno)))") }
        return descriptor
    }

    /// glibc's setns(2), which Swift's Glibc module leaves out (it is a
    /// _GNU_SOURCE declaration), and the kernel's CLONE_NEWNET.
    private typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNamespace = {
        guard let symbol = dlsym(nil, "setns") else { fatalError("the C library has no setns") }
        return unsafeBitCast(symbol, to: SetNamespace.self)
    }()
    private static let newNetwork: Int32 = 0x4000_0000
}
