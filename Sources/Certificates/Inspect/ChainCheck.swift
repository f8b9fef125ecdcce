import X509

/// Does the leaf chain up to a certificate of the CA file? Issuer names must
/// match and each signature verify; the root (or any CA certificate found in
/// the CA file) ends the walk, as OpenSSL treats the CA file as trusted.
enum ChainCheck {
    static func verifies(leaf: Certificate, intermediates: [Certificate], authorities: [Certificate]) -> Bool {
        var current = leaf
        var pool = intermediates
        for _ in 0..<8 {
            if authorities.contains(where: { signs($0, current) }) { return true }
            guard let index = pool.firstIndex(where: { signs($0, current) }) else { return false }
            current = pool.remove(at: index)
        }
        return false
    }

    static func signs(_ issuer: Certificate, _ subject: Certificate) -> Bool {
        issuer.subject == subject.issuer && issuer.publicKey.isValidSignature(subject.signature, for: subject)
    }
}
