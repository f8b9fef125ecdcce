import ClusterFacts
import Crypto
import Foundation
import SwiftASN1
import X509

/// The facts of one certificate that an operator reads and a plan shows.
public struct CertificateSummary: Hashable, Sendable, Codable {
    public var subject: String
    public var issuer: String
    public var serialNumber: String
    public var notBefore: Date
    public var notAfter: Date
    public var dnsNames: [String]
    public var ipAddresses: [String]
    public var commonName: String?
    public var key: KeyDescription?
    public var signatureAlgorithm: String
    /// SHA-256 of the DER, colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256`).
    public var sha256Fingerprint: String
    public var isCertificateAuthority: Bool
    public var isSelfSigned: Bool

    init(_ certificate: Certificate) {
        subject = certificate.subject.text
        issuer = certificate.issuer.text
        serialNumber = HexText.digits(certificate.serialNumber.bytes, uppercase: true, separator: ":")
        notBefore = certificate.notValidBefore
        notAfter = certificate.notValidAfter
        let names = (try? certificate.extensions.subjectAlternativeNames).flatMap { $0 }.map(Array.init) ?? []
        dnsNames = names.compactMap { if case .dnsName(let name) = $0 { return name } else { return nil } }
        ipAddresses = names.compactMap { if case .ipAddress(let octets) = $0 { return IPText.format(Array(octets.bytes)) } else { return nil } }
        commonName = certificate.subject.commonName
        key = KeyDescription(certificate.publicKey)
        signatureAlgorithm = Self.algorithmName(certificate.signatureAlgorithm)
        sha256Fingerprint = Fingerprint.sha256(Self.der(certificate))
        isCertificateAuthority = {
            if case .isCertificateAuthority = (try? certificate.extensions.basicConstraints) ?? .notCertificateAuthority { return true }
            return false
        }()
        isSelfSigned = certificate.subject == certificate.issuer
            && certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    /// "ecdsaWithSHA256" where X509 describes it as "SignatureAlgorithm.ecdsaWithSHA256".
    static func algorithmName(_ algorithm: Certificate.SignatureAlgorithm) -> String {
        let description = algorithm.description
        let prefix = "SignatureAlgorithm."
        return description.hasPrefix(prefix) ? String(description.dropFirst(prefix.count)) : description
    }

    static func der(_ value: some DERSerializable) -> [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(value)
        return serializer.serializedBytes
    }

    public var usesSHA1: Bool { signatureAlgorithm.lowercased().contains("sha1") }
    public var hasSubjectAlternativeNames: Bool { !dnsNames.isEmpty || !ipAddresses.isEmpty }
}

extension DistinguishedName {
    /// What X509's `description` says (RFC 4514 order: the last RDN first,
    /// `+` inside one, `,` between), written with each attribute's own
    /// `description`: X509's goes through `String(describing:)` and a lazy,
    /// reversed `joined` that the runtime assembles the first time, about
    /// 0.5 ms of the socket operator's TLS proof in `status`
    /// (`CertificateSummaryTextTests` hold the two equal).
    var text: String {
        // No `enumerated()`: its iterator over X509's types is another generic type the runtime assembles.
        var relative: [String] = []
        for name in self {
            var attributes = ""
            var first = true
            for attribute in name {
                attributes += (first ? "" : "+") + attribute.description
                first = false
            }
            relative.append(attributes)
        }
        var text = ""
        for index in relative.indices.reversed() {
            text += (index == relative.indices.last ? "" : ",") + relative[index]
        }
        return text
    }

    var commonName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return nil
    }
}

public enum Fingerprint {
    public static func sha256(_ bytes: [UInt8]) -> String {
        HexText.digits(SHA256.hash(data: bytes), uppercase: true, separator: ":")
    }
}

/// Textual IP addresses (inet_pton / inet_ntop) for SAN comparison.
public enum IPText {
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    public static func format(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16,
              bytes.withUnsafeBytes({ inet_ntop(family, $0.baseAddress, &buffer, 64) }) != nil else {
            return HexText.digits(bytes)
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension CertificateSummary {
    /// The first certificate of a PEM file's bytes, summarised; nil when there is none.
    /// A certificate as a TLS handshake served it (DER).
    public static func served(der: [UInt8]) -> CertificateSummary? {
        (try? Certificate(derEncoded: der)).map(CertificateSummary.init)
    }

    public static func first(inPEM bytes: [UInt8]) -> CertificateSummary? {
        guard let block = PEMFile.blocks(bytes)?.first(where: { $0.label == "CERTIFICATE" }),
              let certificate = try? Certificate(derEncoded: block.der) else { return nil }
        return CertificateSummary(certificate)
    }
}
