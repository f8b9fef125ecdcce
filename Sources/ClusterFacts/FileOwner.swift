/// Who owns a file, the one shape every module uses: the name for messages
/// and plans, the ids for `fchown` and for comparing with `fstat`. (A plan
/// names owners by name only: it is made without touching the host; the run
/// resolves the name to an account, `OSUser.named`.)
public struct FileOwner: Hashable, Sendable, Codable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32

    public init(name: String, uid: UInt32, gid: UInt32) {
        self.name = name
        self.uid = uid
        self.gid = gid
    }
}
