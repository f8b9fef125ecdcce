/// A file as the inspection sees it: read at the edge (the executor side),
/// checked here as a value. `bytes` is nil when the file could not be read.
public struct FileSnapshot: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case missing, regular, other, unreadable }

    public var path: String
    public var kind: Kind
    public var bytes: [UInt8]?
    public var ownerUID: UInt32
    public var ownerName: String
    /// Permission bits only (0o777).
    public var mode: UInt32

    public init(path: String, kind: Kind, bytes: [UInt8]? = nil, ownerUID: UInt32 = 0, ownerName: String = "", mode: UInt32 = 0) {
        self.path = path
        self.kind = kind
        self.bytes = bytes
        self.ownerUID = ownerUID
        self.ownerName = ownerName
        self.mode = mode & 0o7777
    }

    public static func missing(_ path: String) -> FileSnapshot { FileSnapshot(path: path, kind: .missing) }

    public var modeText: String { String(format: "%04o", mode) }
}

