import ClusterFacts
import Crypto

/// Content fingerprints for journals, plans and dry-run proofs.
public enum FileDigest {
    public static func sha256(_ bytes: [UInt8]) -> String {
        HexText.digits(SHA256.hash(data: bytes))
    }
}
