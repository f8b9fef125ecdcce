/// A PostgreSQL server version as `server_version_num` reports it
/// (150018 for 15.18). Behaviour that changed between releases is keyed on
/// this number, never on the version string.
public struct ServerVersion: Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let number: Int

    public init(number: Int) { self.number = number }

    /// A bare major version, such as `ServerVersion(major: 16)`.
    public init(major: Int, minor: Int = 0) { self.number = major * 10000 + minor }

    public var major: Int { number / 10000 }
    public var minor: Int { number % 10000 }

    public var description: String { "\(major).\(minor)" }

    /// Oldest and newest majors this tool knows the behaviour of.
    public static let oldestSupportedMajor = 13
    public static let newestSupportedMajor = 18

    public var isSupported: Bool {
        (Self.oldestSupportedMajor...Self.newestSupportedMajor).contains(major)
    }

    public static func < (lhs: ServerVersion, rhs: ServerVersion) -> Bool { lhs.number < rhs.number }
}
