import Executor
import Foundation
import Sandbox

/// One initdb per server version per test process; clusters copy it.
final class TemplateCache: @unchecked Sendable {
    static let shared = TemplateCache()
    /// The templates' superuser password: made here, not written in the
    /// source (every local user can read that), and never used to log in
    /// (each cluster sets its own as it starts, TestCluster.start).
    static let password = "template-" + UUID().uuidString.lowercased()

    private let lock = NSLock()
    private var templates: [String: String] = [:]

    func template(for binaries: PostgresBinaries) throws -> String {
        lock.lock(); defer { lock.unlock() }
        if let existing = templates[binaries.directory] { return existing }
        let root = try Registry.shared.newRoot(prefix: "pgsw-template")
        let owner = try LocalCluster.defaultOwner()
        chown(root, owner.uid, owner.gid)
        let data = root + "/data"
        try LocalCluster.initdb(binaries: binaries, directory: data, owner: owner, superuser: "postgres",
                                password: Self.password, scratch: root)
        templates[binaries.directory] = data
        return data
    }
}
