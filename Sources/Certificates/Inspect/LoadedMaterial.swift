import Crypto
import _CryptoExtras
import X509

/// Public-key algorithm and size, for display and the weak-material check.
public struct KeyDescription: Hashable, Sendable, Codable, CustomStringConvertible {
    public var algorithm: String
    public var bits: Int

    public var description: String { algorithm == "RSA" ? "RSA \(bits)" : algorithm }
    public var isWeak: Bool { algorithm == "RSA" && bits < 2048 }

    init?(_ key: Certificate.PublicKey) {
        if let rsa = _RSA.Signing.PublicKey(key) {
            self.init(algorithm: "RSA", bits: rsa.keySizeInBits)
        } else if P256.Signing.PublicKey(key) != nil {
            self.init(algorithm: "ECDSA P-256", bits: 256)
        } else if P384.Signing.PublicKey(key) != nil {
            self.init(algorithm: "ECDSA P-384", bits: 384)
        } else if P521.Signing.PublicKey(key) != nil {
            self.init(algorithm: "ECDSA P-521", bits: 521)
        } else if Curve25519.Signing.PublicKey(key) != nil {
            self.init(algorithm: "Ed25519", bits: 256)
        } else {
            return nil
        }
    }

    init(algorithm: String, bits: Int) {
        self.algorithm = algorithm
        self.bits = bits
    }
}

/// What a certificate file holds.
enum LoadedCertificates {
    case certificates([Certificate])
    /// An RSA key too small for swift-crypto to load (bits as found).
    case weakRSA(bits: Int)
    case noCertificate
    case garbage

    static func load(_ bytes: [UInt8]) -> LoadedCertificates {
        guard let blocks = PEMFile.blocks(bytes) else { return .garbage }
        let certificateBlocks = blocks.filter { $0.label == "CERTIFICATE" || $0.label == "TRUSTED CERTIFICATE" }
        guard !certificateBlocks.isEmpty else { return blocks.isEmpty ? .garbage : .noCertificate }
        var certificates: [Certificate] = []
        for block in certificateBlocks {
            if let certificate = try? Certificate(derEncoded: block.der) {
                certificates.append(certificate)
            } else if let bits = DERProbe.rsaModulusBits(block.der), bits < 2048 {
                return .weakRSA(bits: bits)
            } else {
                return .garbage
            }
        }
        return .certificates(certificates)
    }
}

/// What a private key file holds.
enum LoadedKey {
    case key(Certificate.PrivateKey)
    /// Passphrase-protected: PKCS#8 "ENCRYPTED PRIVATE KEY" or the old
    /// OpenSSL form with `Proc-Type: 4,ENCRYPTED`.
    case encrypted
    case weakRSA(bits: Int)
    case garbage

    static func load(_ bytes: [UInt8]) -> LoadedKey {
        guard let blocks = PEMFile.blocks(bytes) else { return .garbage }
        for block in blocks {
            if block.label == "ENCRYPTED PRIVATE KEY" || block.headers["Proc-Type"]?.hasSuffix("ENCRYPTED") == true {
                return .encrypted
            }
            guard block.label.hasSuffix("PRIVATE KEY") else { continue }
            if let key = try? Certificate.PrivateKey(pemDocument: block.document) { return .key(key) }
            if let bits = DERProbe.rsaModulusBits(block.der), bits < 2048 { return .weakRSA(bits: bits) }
            return .garbage
        }
        return .garbage
    }
}
