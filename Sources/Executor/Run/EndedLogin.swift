import Foundation

/// A TCP login still in progress under the rules loaded before the hostssl
/// ones, which the run ended (18 lists them; docs/POSTGRES.md, "18 lists
/// connections still authenticating"). It has no user yet: only where it
/// came from. The audit report lists it with the sessions the run ended.
public struct EndedLogin: Codable, Hashable, Sendable {
    public var pid: Int32
    public var clientAddress: String?
    /// When it was seen gone.
    public var at: Date

    public init(pid: Int32, clientAddress: String?, at: Date) {
        self.pid = pid
        self.clientAddress = clientAddress
        self.at = at
    }
}
