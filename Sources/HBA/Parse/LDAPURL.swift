/// The parts of an `ldapurl=` value PostgreSQL keeps, read the way
/// OpenLDAP's ldap_url_parse reads common URLs: scheme://host:port/dn?attrs?scope?filter.
/// Defaults follow OpenLDAP: port 389 (636 for ldaps), scope base.
struct LDAPURL: Hashable, Sendable {
    var scheme: String
    var host: String?
    var port: Int
    var baseDN: String?
    var attribute: String?
    var scope: Int
    var filter: String?

    enum Outcome { case success(LDAPURL), failure(String) }

    static func parse(_ text: String) -> Outcome {
        // ldap_err2string of OpenLDAP's URL error codes, as PostgreSQL prints them.
        func failed(_ code: Int) -> Outcome {
            let names = [1: "Operations error", 2: "Protocol error", 3: "Time limit exceeded", 4: "Size limit exceeded",
                         5: "Compare False", 6: "Compare True", 7: "Authentication method not supported", 8: "Strong(er) authentication required"]
            return .failure("could not parse LDAP URL \"\(text)\": \(names[code] ?? "Unknown error")")
        }
        guard let separator = text.range(of: "://") else { return failed(3) }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard ["ldap", "ldaps", "ldapi", "cldap"].contains(scheme) else { return failed(3) }
        var rest = String(text[separator.upperBound...])
        var hostPort = rest
        var path: String? = nil
        if let slash = rest.firstIndex(of: "/") {
            hostPort = String(rest[..<slash])
            path = String(rest[rest.index(after: slash)...])
        }
        rest = ""
        var host: String? = nil
        var port = scheme == "ldaps" ? 636 : 389
        if !hostPort.isEmpty {
            if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasPrefix("[") || hostPort[..<colon].hasSuffix("]") {
                let portText = hostPort[hostPort.index(after: colon)...]
                guard let value = Int(portText), (1...65535).contains(value) else { return failed(5) }
                port = value
                host = String(hostPort[..<colon])
            } else {
                host = hostPort
            }
            host = host.flatMap { percentDecode($0) }
            if host?.isEmpty == true { host = nil }
        }
        var url = LDAPURL(scheme: scheme, host: host, port: port, baseDN: nil, attribute: nil, scope: 0, filter: nil)
        guard let path else { return .success(url) }
        let parts = path.split(separator: "?", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 5 else { return failed(4) }
        if let dn = parts.first, !dn.isEmpty { url.baseDN = percentDecode(dn) }
        if parts.count > 1, !parts[1].isEmpty {
            url.attribute = parts[1].split(separator: ",").first.map { percentDecode(String($0)) } ?? nil
        }
        if parts.count > 2, !parts[2].isEmpty {
            switch parts[2].lowercased() {
            case "base": url.scope = 0
            case "one", "onelevel": url.scope = 1
            case "sub", "subtree": url.scope = 2
            case "subord", "subordinate", "children": url.scope = 3
            default: return failed(6)
            }
        }
        if parts.count > 3, !parts[3].isEmpty { url.filter = percentDecode(parts[3]) }
        return .success(url)
    }

    private static func percentDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
