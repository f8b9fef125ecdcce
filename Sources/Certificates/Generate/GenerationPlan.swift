import ClusterFacts
import Foundation
import X509

/// A file the wizard intends to write: everything a dry run shows (path,
/// mode, owner, fingerprint) and the bytes that a real run writes.
public struct PlannedFile: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case privateKey = "private key", certificate, caCertificate = "CA certificate", signingRequest = "signing request"
    }

    /// Which file of the set this is, whatever its path.
    public enum Role: Hashable, Sendable {
        case serverKey, serverCertificate, rootCertificate, authorityKey, authorityCertificate, signingRequest
    }

    public var path: String
    public var kind: Kind
    public var role: Role
    public var mode: UInt32
    public var owner: FileOwner?
    public var contents: [UInt8]
    /// SHA-256 of the certificate or request DER, or of a key's public half:
    /// never anything derived from secret bytes alone.
    public var fingerprint: String

    public var isSecret: Bool { kind == .privateKey }

    /// One line for a plan; never the contents.
    public var planLine: String {
        "\(path)  \(kind.rawValue)  mode \(String(format: "%04o", mode))  owner \(owner?.name ?? "(current user)")  sha256 \(fingerprint)"
    }
}

/// The three ways to generate (issue: CA-signed, self-signed, CSR).
public enum GenerationMode: String, Hashable, Sendable, Codable, CaseIterable {
    case localCA = "ca", selfSigned = "self-signed", signingRequest = "csr"
}

/// Where the generated files go.
public struct GenerationLayout: Hashable, Sendable {
    public var outputDirectory: String
    public var caDirectory: String
    public var owner: FileOwner?

    public init(outputDirectory: String, caDirectory: String, owner: FileOwner?) {
        self.outputDirectory = outputDirectory
        self.caDirectory = caDirectory
        self.owner = owner
    }
}

/// Generated material as planned files, plus what to tell clients.
public struct GenerationPlan: Sendable {
    public var mode: GenerationMode
    public var files: [PlannedFile]
    public var request: CertificateRequest
    public var rootCertificatePath: String?

    /// Generates keys and certificates in memory; writes nothing.
    /// `existingCA` reuses a CA found in the CA directory.
    public static func make(_ mode: GenerationMode, request: CertificateRequest, layout: GenerationLayout,
                            existingCA: (certificate: Certificate, key: Certificate.PrivateKey)? = nil,
                            now: Date) throws(GenerationError) -> GenerationPlan {
        if let problem = request.problem { throw problem }
        do {
            let out = layout.outputDirectory, owner = layout.owner
            let key = try CertificateFactory.makeKey(request.keyKind)
            let keyFile = try privateKeyFile(out + "/server.key", key, .serverKey, owner: owner)
            switch mode {
            case .localCA:
                var files: [PlannedFile] = []
                let authority: (certificate: Certificate, key: Certificate.PrivateKey)
                if let existingCA {
                    authority = existingCA
                } else {
                    let caKey = try CertificateFactory.makeKey(request.keyKind)
                    let caName = "pg-ssl-wizard CA for \(request.commonName)"
                    authority = (try CertificateFactory.certificateAuthority(commonName: caName, key: caKey, now: now), caKey)
                    files.append(try privateKeyFile(layout.caDirectory + "/ca.key", caKey, .authorityKey, owner: nil))
                    files.append(try certificateFile(layout.caDirectory + "/ca.crt", authority.certificate, .caCertificate, .authorityCertificate, owner: nil))
                }
                let server = try CertificateFactory.serverCertificate(request, key: key, issuer: authority, now: now)
                files += [keyFile, try certificateFile(out + "/server.crt", server, .certificate, .serverCertificate, owner: owner),
                          try certificateFile(out + "/root.crt", authority.certificate, .caCertificate, .rootCertificate, owner: owner)]
                return GenerationPlan(mode: mode, files: files, request: request, rootCertificatePath: out + "/root.crt")
            case .selfSigned:
                let server = try CertificateFactory.serverCertificate(request, key: key, issuer: nil, now: now)
                return GenerationPlan(mode: mode, files: [
                    keyFile, try certificateFile(out + "/server.crt", server, .certificate, .serverCertificate, owner: owner),
                    try certificateFile(out + "/root.crt", server, .caCertificate, .rootCertificate, owner: owner),
                ], request: request, rootCertificatePath: out + "/root.crt")
            case .signingRequest:
                let csr = try CertificateFactory.signingRequest(request, key: key)
                return GenerationPlan(mode: mode, files: [
                    keyFile, PlannedFile(path: out + "/server.csr", kind: .signingRequest, role: .signingRequest, mode: 0o644, owner: owner,
                                         contents: Array(try PEMEncoding.signingRequest(csr).utf8),
                                         fingerprint: Fingerprint.sha256(CertificateSummary.der(csr))),
                ], request: request, rootCertificatePath: nil)
            }
        } catch let error as GenerationError {
            throw error
        } catch {
            throw .crypto(String(describing: error))
        }
    }

    static func privateKeyFile(_ path: String, _ key: Certificate.PrivateKey, _ role: PlannedFile.Role, owner: FileOwner?) throws -> PlannedFile {
        PlannedFile(path: path, kind: .privateKey, role: role, mode: 0o600, owner: owner, contents: Array(try PEMEncoding.privateKey(key).utf8),
                    fingerprint: Fingerprint.sha256(Array(key.publicKey.subjectPublicKeyInfoBytes)))
    }

    static func certificateFile(_ path: String, _ certificate: Certificate, _ kind: PlannedFile.Kind, _ role: PlannedFile.Role,
                                owner: FileOwner?) throws -> PlannedFile {
        PlannedFile(path: path, kind: kind, role: role, mode: 0o644, owner: owner, contents: Array(try PEMEncoding.certificate(certificate).utf8),
                    fingerprint: Fingerprint.sha256(CertificateSummary.der(certificate)))
    }
}

extension GenerationPlan {
    /// A CA made by an earlier run (`ca.crt` and `ca.key` in `directory`,
    /// the key matching the certificate), reused so clients keep their root.crt.
    public static func existingAuthority(in directory: String) -> (certificate: Certificate, key: Certificate.PrivateKey)? {
        guard let certificateText = try? String(contentsOfFile: directory + "/ca.crt", encoding: .utf8),
              let keyText = try? String(contentsOfFile: directory + "/ca.key", encoding: .utf8),
              let certificate = try? Certificate(pemEncoded: certificateText),
              let key = try? Certificate.PrivateKey(pemEncoded: keyText), key.publicKey == certificate.publicKey
        else { return nil }
        return (certificate, key)
    }
}
