import ClusterFacts

/// How to turn plain-text `host` rules into `hostssl` (wizard step 3).
public struct RewritePolicy: Hashable, Sendable, Codable {
    /// Convert loopback-only rules (127.0.0.0/8, ::1, samehost, localhost) too.
    public var includeLoopback: Bool
    /// Append explicit `hostnossl ... reject` lines so refused clients learn why.
    public var addRejectLines: Bool
    /// Add a `hostgssenc` twin after each converted line: `host` admits
    /// GSS-encrypted (Kerberos) clients, `hostssl` never does. Only on a
    /// server built with GSSAPI (elsewhere the line would not load).
    public var keepGSSEncrypted: Bool

    public init(includeLoopback: Bool = false, addRejectLines: Bool = false, keepGSSEncrypted: Bool = false) {
        self.includeLoopback = includeLoopback
        self.addRejectLines = addRejectLines
        self.keepGSSEncrypted = keepGSSEncrypted
    }

    enum CodingKeys: String, CodingKey { case includeLoopback, addRejectLines, keepGSSEncrypted }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        includeLoopback = try container.decode(Bool.self, forKey: .includeLoopback)
        addRejectLines = try container.decode(Bool.self, forKey: .addRejectLines)
        // Absent in plans written before GSS twins existed.
        keepGSSEncrypted = try container.decodeIfPresent(Bool.self, forKey: .keepGSSEncrypted) ?? false
    }
}

/// What the rewrite did, or deliberately did not do, with one line.
public struct RewriteChange: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// host -> hostssl.
        case converted
        /// A host rule left as it is (loopback, reject).
        case kept
        /// Not changed, but worth the operator's attention (hostnossl).
        case reported
        /// A line the rewrite added.
        case appended
    }

    public var kind: Kind
    public var file: String
    public var lineNumber: Int
    public var reason: String
    /// What the change takes away, for example plain-text loopback access.
    public var removes: String?
}

/// The new text of every changed file, and a change list with reasons.
public struct RewriteResult: Sendable {
    public var originals: [String: [UInt8]]
    public var rewritten: [String: [UInt8]]
    public var changes: [RewriteChange]

    public var changedFiles: [String] { rewritten.keys.filter { rewritten[$0] != originals[$0] }.sorted() }
    public var hasChanges: Bool { !changedFiles.isEmpty }

    public func text(of file: String) -> String? { rewritten[file].map { String(decoding: $0, as: UTF8.self) } }

    /// `diff -u` of every changed file.
    public var diff: String {
        changedFiles.map { file in
            UnifiedDiff.make(old: String(decoding: originals[file] ?? [], as: UTF8.self),
                             new: String(decoding: rewritten[file] ?? [], as: UTF8.self),
                             oldName: file, newName: file + " (hostssl)")
        }.joined()
    }
}
