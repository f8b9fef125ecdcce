/// Who signs the server certificate the plan creates: the wizard's local
/// CA (clients can then verify it with `sslmode=verify-full`), or nobody
/// but itself. The raw values are the `--certificates` words and what run
/// records keep.
public enum CertificateSource: String, Hashable, Sendable, Codable {
    case localCA = "ca"
    case selfSigned = "self-signed"

    /// Records written before this type kept the local CA as "ca-signed".
    public init(from decoder: any Decoder) throws {
        let word = try decoder.singleValueContainer().decode(String.self)
        guard let source = CertificateSource(rawValue: word == "ca-signed" ? "ca" : word) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no certificate source \(word)"))
        }
        self = source
    }

    /// The plan's words for what is created.
    public var summary: String {
        switch self {
        case .selfSigned: return "create a self-signed server certificate"
        case .localCA: return "create a local CA and a server certificate it signs"
        }
    }
}
