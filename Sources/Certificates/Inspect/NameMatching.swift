/// libpq's verify-full host check: an IP host against iPAddress SANs, a
/// name against dNSName SANs (a `*.` wildcard covers one left-most label);
/// the common name counts only when the certificate has no SANs at all.
enum NameMatching {
    static func coverage(of name: String, by summary: CertificateSummary) -> NameCoverage {
        if let address = IPText.parse(name) {
            if let match = summary.ipAddresses.first(where: { IPText.parse($0) == address }) {
                return NameCoverage(name: name, covered: true, by: "IP:\(match)")
            }
            if !summary.hasSubjectAlternativeNames, summary.commonName == name {
                return NameCoverage(name: name, covered: true, by: "CN=\(name)")
            }
            return NameCoverage(name: name, covered: false, by: nil)
        }
        if let match = summary.dnsNames.first(where: { matches(pattern: $0, host: name) }) {
            return NameCoverage(name: name, covered: true, by: "DNS:\(match)")
        }
        if !summary.hasSubjectAlternativeNames, let cn = summary.commonName, matches(pattern: cn, host: name) {
            return NameCoverage(name: name, covered: true, by: "CN=\(cn)")
        }
        return NameCoverage(name: name, covered: false, by: nil)
    }

    static func matches(pattern: String, host: String) -> Bool {
        let pattern = pattern.lowercased(), host = host.lowercased()
        if pattern == host { return true }
        guard pattern.hasPrefix("*."), let dot = host.firstIndex(of: ".") else { return false }
        return host[dot...] == pattern.dropFirst() && host[..<dot].count > 0
    }
}
