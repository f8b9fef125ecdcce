/// Which rules can match an attempt at all, so the untraced matcher does
/// not screen all of them: rules on an IPv4 network of /16 or narrower are
/// filed under their first two bytes (an IPv6 network of /32 or narrower
/// under its first four), local rules apart; a client is screened against
/// its own bucket and the rules filed nowhere, merged back into file order.
/// Only rules that surely miss are left out, so the first match is the same.
struct RuleIndex: Sendable {
    /// `local` rules: the only ones a unix-socket attempt can match.
    let local: [Int]
    /// TCP rules with no network narrow enough to file (all, samehost, names, wide masks).
    let unfiled: [Int]
    let byNetwork: [UInt64: [Int]]
    let ruleCount: Int

    init(_ screens: [RuleScreen]) {
        var local: [Int] = [], unfiled: [Int] = [], byNetwork: [UInt64: [Int]] = [:]
        for (index, screen) in screens.enumerated() {
            if screen.type == .local { local.append(index); continue }
            if let key = Self.key(family: screen.family, words: screen.network, mask: screen.mask) {
                byNetwork[key, default: []].append(index)
            } else {
                unfiled.append(index)
            }
        }
        self.local = local
        self.unfiled = unfiled
        self.byNetwork = byNetwork
        ruleCount = screens.count
    }

    /// The bucket of a network whose mask covers the bucket's bits, or nil.
    static func key(family: UInt8, words: (UInt64, UInt64), mask: (UInt64, UInt64)) -> UInt64? {
        switch family {
        case 4:
            let top: UInt64 = 0xFFFF_0000
            return mask.1 & top == top ? 4 << 32 | (words.1 & top) >> 16 : nil
        case 6:
            let top: UInt64 = 0xFFFF_FFFF_0000_0000
            return mask.0 & top == top ? 6 << 32 | (words.0 & top) >> 32 : nil
        default:
            return nil
        }
    }

    /// Rule indices in file order that the screens still have to look at.
    func candidates(_ client: RuleScreen.Client) -> [Int] {
        guard client.tcp else { return local }
        guard client.family != 0 else { return Array(0..<ruleCount) }
        let mask: (UInt64, UInt64) = (UInt64.max, UInt64.max)
        let filed = Self.key(family: client.family, words: client.words, mask: mask).flatMap { byNetwork[$0] } ?? []
        return Self.merge(filed, unfiled)
    }

    static func merge(_ a: [Int], _ b: [Int]) -> [Int] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var merged: [Int] = []
        merged.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { merged.append(a[i]); i += 1 } else { merged.append(b[j]); j += 1 }
        }
        merged += a[i...]
        merged += b[j...]
        return merged
    }
}
