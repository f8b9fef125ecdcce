import Foundation
import ClusterFacts

extension CertificateFinding {
    /// What is wrong, naming the file, and what to do about it: the one place
    /// where certificate findings become operator-facing text.
    public var message: String {
        switch self {
        case .fileMissing(let role, let path):
            return "\(role.rawValue) file \(path) does not exist: generate one (pg-ssl-wizard certs generate) or point ssl_\(role.setting)_file at the right file"
        case .notRegularFile(let role, let path):
            return "\(role.rawValue) file \(path) is not a regular file: PostgreSQL needs a plain file; replace it with one"
        case .unreadable(let role, let path):
            return "\(role.rawValue) file \(path) cannot be read by this program: run as root or as the server's OS user"
        case .notPEM(let role, let path):
            return "\(role.rawValue) file \(path) is not a PEM file PostgreSQL can load: replace it with a PEM-encoded \(role == .key ? "private key" : "certificate")"
        case .noCertificateInFile(let role, let path):
            return "\(role.rawValue) file \(path) holds no certificate: put the PEM certificate (-----BEGIN CERTIFICATE-----) there"
        case .keyMismatch(let certificate, let key):
            return "private key \(key) does not belong to certificate \(certificate) (the server would log \"key values mismatch\"): use the key the certificate was issued for, or generate both anew"
        case .keyOwner(let path, let owner, let serverUser):
            return "private key \(path) is owned by \(owner); PostgreSQL requires the database user (\(serverUser)) or root: chown \(serverUser) \(path)"
        case .keyMode(let path, let mode, let ownedByRoot):
            let allowed = ownedByRoot ? "0640 or stricter for a root-owned key" : "0600 or stricter"
            return "private key \(path) has mode \(String(format: "%04o", mode)), group or world access PostgreSQL refuses (\(allowed)): chmod \(ownedByRoot ? "640" : "600") \(path)"
        case .expired(let path, let notAfter):
            return "certificate \(path) expired on \(Self.day(notAfter)): clients refuse it; generate or import a new certificate"
        case .notYetValid(let path, let notBefore):
            return "certificate \(path) is not valid before \(Self.day(notBefore)): check the clock of this host and of the issuer, or issue it again"
        case .expiresSoon(let path, let days, let notAfter):
            return "certificate \(path) expires in \(days) day\(days == 1 ? "" : "s") (\(Self.day(notAfter))): rotate it now (new files, then a reload: PostgreSQL re-reads SSL files on reload)"
        case .nameNotCovered(let path, let name):
            return "certificate \(path) has no subject alternative name for \(name): clients using sslmode=verify-full with host \(name) will fail; issue a certificate with --\(IPText.parse(name) == nil ? "dns" : "ip") \(name)"
        case .encryptedKeyWithoutCommand(let path):
            return "private key \(path) is passphrase-protected and ssl_passphrase_command is not set: the server cannot start unattended; set ssl_passphrase_command or write the key unencrypted (mode 0600)"
        case .encryptedKeyCannotReload(let path):
            return "private key \(path) is passphrase-protected and ssl_passphrase_command_supports_reload is off: a reload keeps the old SSL setup; enable it or plan a restart"
        case .weakRSA(let role, let path, let bits):
            return "\(role.rawValue) file \(path) has an RSA \(bits)-bit key, too weak (OpenSSL's default security level refuses it): generate RSA 3072 or ECDSA P-256"
        case .sha1Signature(let path):
            return "certificate \(path) is signed with SHA-1, which current clients reject: issue it again with SHA-256"
        case .chainNotVerified(let certificate, let ca):
            return "certificate \(certificate) is not signed by any certificate in \(ca): clients with sslmode=verify-ca or verify-full will refuse it; use the CA that issued it"
        case .caExpired(let path, let subject):
            return "CA certificate \(subject) in \(path) has expired: clients cannot verify the chain; renew the CA"
        case .noCAFile:
            return "no CA file: clients need the issuing CA (root.crt) for sslmode=verify-full; hand them the CA certificate"
        }
    }

    static func day(_ date: Date) -> String { UTCText.minute(date) }
}

extension SSLFileRole {
    /// The GUC suffix: ssl_cert_file, ssl_key_file, ssl_ca_file.
    var setting: String {
        switch self {
        case .certificate: return "cert"
        case .key: return "key"
        case .ca: return "ca"
        }
    }
}
