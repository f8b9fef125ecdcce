import Foundation
import HBA

/// This host's interface addresses and netmasks (getifaddrs), for
/// `samehost` / `samenet` rules.
public enum LocalInterfaces {
    public static func read() -> [NetworkInterface] {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0, let first else { return [] }
        defer { freeifaddrs(first) }
        var interfaces: [NetworkInterface] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, let mask = entry.pointee.ifa_netmask,
                  let ip = numeric(address), let netmask = numeric(mask) else { continue }
            interfaces.append(NetworkInterface(address: ip, netmask: netmask))
        }
        return interfaces
    }

    /// This host's interface names: an IPv6 zone naming none of them makes
    /// the server read the address as a host name (docs/POSTGRES.md, "Addresses").
    public static func names() -> Set<String> {
        guard let list = if_nameindex() else { return [] }
        defer { if_freenameindex(list) }
        var names: Set<String> = []
        var cursor = list
        while cursor.pointee.if_index != 0, let name = cursor.pointee.if_name {
            names.insert(String(cString: name))
            cursor += 1
        }
        return names
    }

    static func numeric(_ socketAddress: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        let family = Int32(socketAddress.pointee.sa_family)
        guard family == AF_INET || family == AF_INET6 else { return nil }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
        guard getnameinfo(socketAddress, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return nil }
        var text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        return IPAddress(numeric: text)
    }
}
