import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// Makes keys, certificates and signing requests with swift-certificates.
/// Pure apart from randomness; `now` comes in so tests can pin time.
public enum CertificateFactory {
    public static func makeKey(_ kind: KeyKind) throws -> Certificate.PrivateKey {
        switch kind {
        case .rsa3072: return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits3072))
        case .ecdsaP256: return Certificate.PrivateKey(P256.Signing.PrivateKey())
        }
    }

    /// A local CA certificate (10 years unless told), allowed to sign server certificates only.
    public static func certificateAuthority(commonName: String, key: Certificate.PrivateKey, validityDays: Int = 3650,
                                            now: Date) throws -> Certificate {
        let name = try DistinguishedName {
            OrganizationName("pg-ssl-wizard")
            CommonName(commonName)
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(validityDays) * 86_400),
            issuer: name, subject: name,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
    }

    /// A server certificate signed by `issuer`; with `issuer == nil` it signs
    /// itself and is marked as a CA so that it can double as root.crt.
    public static func serverCertificate(_ request: CertificateRequest, key: Certificate.PrivateKey,
                                         issuer: (certificate: Certificate, key: Certificate.PrivateKey)?,
                                         now: Date) throws -> Certificate {
        let subject = try subjectName(request)
        let selfSigned = issuer == nil
        let extensions = try Certificate.Extensions {
            Critical(selfSigned ? BasicConstraints.isCertificateAuthority(maxPathLength: 0) : BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: request.keyKind == .rsa3072, keyCertSign: selfSigned))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(try alternativeNames(request))
            SubjectKeyIdentifier(hash: key.publicKey)
            if let issuer {
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuer.certificate.publicKey).keyIdentifier)
            }
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(Double(request.validityDays) * 86_400),
            issuer: issuer?.certificate.subject ?? subject, subject: subject, extensions: extensions,
            issuerPrivateKey: issuer?.key ?? key)
    }

    /// A signing request for an enterprise or public CA, asking for the SANs.
    public static func signingRequest(_ request: CertificateRequest, key: Certificate.PrivateKey) throws -> CertificateSigningRequest {
        let extensions = try Certificate.Extensions {
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(try alternativeNames(request))
        }
        let attributes = CertificateSigningRequest.Attributes([try .init(ExtensionRequest(extensions: extensions))])
        return try CertificateSigningRequest(version: .v1, subject: try subjectName(request), privateKey: key,
                                             attributes: attributes, signatureAlgorithm: signatureAlgorithm(for: request.keyKind))
    }

    static func signatureAlgorithm(for kind: KeyKind) -> Certificate.SignatureAlgorithm {
        kind == .rsa3072 ? .sha256WithRSAEncryption : .ecdsaWithSHA256
    }

    static func subjectName(_ request: CertificateRequest) throws -> DistinguishedName {
        try DistinguishedName {
            if let organization = request.organization { OrganizationName(organization) }
            CommonName(request.commonName)
        }
    }

    static func alternativeNames(_ request: CertificateRequest) throws -> [GeneralName] {
        request.dnsNames.map { GeneralName.dnsName($0) }
            + request.ipAddresses.compactMap { IPText.parse($0).map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) } }
    }
}

/// PEM text of what the factory made (RSA keys as PKCS#1, EC keys as PKCS#8;
/// OpenSSL and so PostgreSQL read both).
public enum PEMEncoding {
    public static func certificate(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString + "\n"
    }

    public static func privateKey(_ key: Certificate.PrivateKey) throws -> String {
        return try key.serializeAsPEM().pemString + "\n"
    }

    public static func signingRequest(_ request: CertificateSigningRequest) throws -> String {
        try request.serializeAsPEM().pemString + "\n"
    }
}
