import Foundation

/// The server version each connection target answered with earlier in this
/// process, so the next session to it can carry the version-specific
/// timeouts in its startup packet (`SessionProfile.options`). Only a hint:
/// a server that refuses one is connected to again without.
final class KnownServerVersions: @unchecked Sendable {
    static let shared = KnownServerVersions()
    private let lock = NSLock()
    private var versions: [String: Int] = [:]

    func version(of target: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        return versions[target]
    }

    func remember(_ version: Int, of target: String) {
        lock.lock(); defer { lock.unlock() }
        versions[target] = version
    }

    func forget(_ target: String) {
        lock.lock(); defer { lock.unlock() }
        versions[target] = nil
    }
}
