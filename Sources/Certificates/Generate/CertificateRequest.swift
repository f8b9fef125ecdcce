import Foundation

/// Key algorithms the wizard generates.
public enum KeyKind: String, Hashable, Sendable, Codable, CaseIterable {
    case rsa3072 = "rsa3072"
    case ecdsaP256 = "ecdsa-p256"

    public var description: String { self == .rsa3072 ? "RSA 3072" : "ECDSA P-256" }
}

/// What a generated server certificate must say.
public struct CertificateRequest: Hashable, Sendable {
    public var dnsNames: [String]
    public var ipAddresses: [String]
    public var keyKind: KeyKind
    public var validityDays: Int
    public var organization: String?

    public init(dnsNames: [String], ipAddresses: [String], keyKind: KeyKind = .rsa3072, validityDays: Int = 397,
                organization: String? = nil) {
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.keyKind = keyKind
        self.validityDays = validityDays
        self.organization = organization
    }

    /// The subject's common name: the first DNS name, else the first address.
    public var commonName: String { dnsNames.first ?? ipAddresses.first ?? "postgresql" }

    /// What is wrong with the request, if anything (checked before any key is made).
    public var problem: GenerationError? {
        if dnsNames.isEmpty && ipAddresses.isEmpty { return .noNames }
        if let bad = ipAddresses.first(where: { IPText.parse($0) == nil }) { return .badAddress(bad) }
        if let bad = dnsNames.first(where: { !Self.isHostName($0) }) { return .badHostName(bad) }
        if !(1...3650).contains(validityDays) { return .badValidity(validityDays) }
        return nil
    }

    static func isHostName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return !name.isEmpty && name.count <= 253 && labels.enumerated().allSatisfy { index, label in
            let body = index == 0 && label == "*" ? "x" : label
            return !body.isEmpty && body.count <= 63 && body.first != "-" && body.last != "-"
                && body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// Why nothing was generated. Messages say what is wrong and what to do.
public enum GenerationError: Error, Hashable, Sendable, CustomStringConvertible {
    case noNames
    case badAddress(String)
    case badHostName(String)
    case badValidity(Int)
    case caInsideDataDirectory(String)
    case crypto(String)

    public var description: String {
        switch self {
        case .noNames:
            return "no names given: pass the host names (--dns) and addresses (--ip) clients use to reach the server"
        case .badAddress(let text):
            return "\(text) is not an IP address: give --ip an IPv4 or IPv6 address, or use --dns for a host name"
        case .badHostName(let text):
            return "\(text) is not a valid host name: use letters, digits and hyphens in dot-separated labels"
        case .badValidity(let days):
            return "validity of \(days) days is out of range: choose 1 to 3650 days (397 is the default for servers)"
        case .caInsideDataDirectory(let path):
            return "the CA key would be written to \(path), inside a data directory: keep the CA outside (--ca-dir)"
        case .crypto(let text):
            return "key or certificate generation failed: \(text)"
        }
    }
}

import ClusterFacts

extension GenerationError: OperatorFacingError {
    public var operatorMessage: String { description }
}
