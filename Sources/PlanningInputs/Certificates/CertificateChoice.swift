import Certificates
import Enforcement

/// What `plan`, `apply` and the wizard do about the server's certificate.
/// One default for all three, so a dry run shows what the run would do.
public enum CertificateChoice: Hashable, Sendable {
    /// Keep a usable certificate (fixing only its key's mode); with none
    /// usable, plan a local CA and a server certificate signed by it.
    case automatic
    /// Never plan new files: a server without a usable certificate blocks.
    case none
    /// Plan new files of this kind whatever is there now.
    case create(CertificateSource)

    /// `--create-certificates` as typed: nil when the word is not one of ours.
    public init?(option: String?) {
        switch option {
        case nil: self = .automatic
        case "none": self = .none
        case let word?: guard let source = CertificateSource(rawValue: word) else { return nil }; self = .create(source)
        }
    }

    public static let optionValues = "self-signed, ca or none"

    /// The files to plan, given what inspection found.
    func generation(for facts: CertificateFacts) -> CertificateSource? {
        switch self {
        case .none: return nil
        case .create(let mode): return mode
        case .automatic:
            return facts.condition != .usable && facts.keyPermissionFix == nil ? .localCA : nil
        }
    }
}
