import Foundation

/// Which of the server's SSL files a finding is about.
public enum SSLFileRole: String, Hashable, Sendable, Codable {
    case certificate = "certificate"
    case key = "private key"
    case ca = "CA"
}

/// One thing the certificate inspection found. The operator-facing text of
/// every case lives in `CertificateFinding+Messages.swift`.
public enum CertificateFinding: Hashable, Sendable {
    case fileMissing(SSLFileRole, path: String)
    case notRegularFile(SSLFileRole, path: String)
    case unreadable(SSLFileRole, path: String)
    case notPEM(SSLFileRole, path: String)
    case noCertificateInFile(SSLFileRole, path: String)
    case keyMismatch(certificate: String, key: String)
    case keyOwner(path: String, owner: String, serverUser: String)
    case keyMode(path: String, mode: UInt32, ownedByRoot: Bool)
    case expired(path: String, notAfter: Date)
    case notYetValid(path: String, notBefore: Date)
    case expiresSoon(path: String, days: Int, notAfter: Date)
    case nameNotCovered(path: String, name: String)
    case encryptedKeyWithoutCommand(path: String)
    case encryptedKeyCannotReload(path: String)
    case weakRSA(SSLFileRole, path: String, bits: Int)
    case sha1Signature(path: String)
    case chainNotVerified(certificate: String, ca: String)
    case caExpired(path: String, subject: String)
    case noCAFile

    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        case note, warning, error
        public static func < (a: Severity, b: Severity) -> Bool {
            [.note, .warning, .error].firstIndex(of: a)! < [.note, .warning, .error].firstIndex(of: b)!
        }
    }

    public var severity: Severity {
        switch self {
        case .expiresSoon, .encryptedKeyCannotReload, .sha1Signature: return .warning
        case .noCAFile: return .note
        default: return .error
        }
    }

    /// A stable identifier for scripts (JSON `code`).
    public var code: String {
        switch self {
        case .fileMissing: return "file-missing"
        case .notRegularFile: return "not-regular-file"
        case .unreadable: return "unreadable"
        case .notPEM: return "not-pem"
        case .noCertificateInFile: return "no-certificate"
        case .keyMismatch: return "key-mismatch"
        case .keyOwner: return "key-owner"
        case .keyMode: return "key-mode"
        case .expired: return "expired"
        case .notYetValid: return "not-yet-valid"
        case .expiresSoon: return "expires-soon"
        case .nameNotCovered: return "name-not-covered"
        case .encryptedKeyWithoutCommand: return "encrypted-key"
        case .encryptedKeyCannotReload: return "encrypted-key-no-reload"
        case .weakRSA: return "weak-rsa"
        case .sha1Signature: return "sha1-signature"
        case .chainNotVerified: return "chain-not-verified"
        case .caExpired: return "ca-expired"
        case .noCAFile: return "no-ca-file"
        }
    }
}
