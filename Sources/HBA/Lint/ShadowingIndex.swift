/// The earlier rules that could cover a rule, by address: a file of
/// thousands of rules is checked for unreachable lines without comparing
/// every pair. A network rule can only cover a network inside it, so it is
/// filed under its family, prefix length and masked address; a rule
/// reaches it through the few prefix lengths no longer than its own. Rules
/// whose mask is not a prefix, and every other kind of address, are always
/// candidates. Candidates come out in file order, so the first that covers
/// is the one the server would stop at.
struct ShadowingIndex {
    private struct NetworkKey: Hashable {
        var prefix: Int
        var masked: IPAddress
    }

    private var networks: [NetworkKey: [Int]] = [:]
    private var prefixes: [IPAddress.Family: Set<Int>] = [:]
    private var others: [Int] = []

    mutating func add(_ rule: HBARule, at index: Int) {
        guard case .network(let address, let mask)? = rule.address, let prefix = mask.prefixLength else {
            others.append(index)
            return
        }
        networks[NetworkKey(prefix: prefix, masked: address.masked(by: mask)), default: []].append(index)
        prefixes[address.family, default: []].insert(prefix)
    }

    /// Indexes of earlier rules worth comparing with `rule`, in file order.
    func candidates(for rule: HBARule) -> [Int] {
        guard case .network(let address, let mask)? = rule.address else {
            // A non-network address is covered only by `all` or its equal, both filed under others,
            // or (for `all` and the like) by nothing network-shaped.
            return others
        }
        var found = others
        let own = mask.prefixLength ?? Int.max
        for prefix in prefixes[address.family] ?? [] where prefix <= own {
            guard let prefixMask = IPAddress.mask(bits: prefix, family: address.family),
                  let indexes = networks[NetworkKey(prefix: prefix, masked: address.masked(by: prefixMask))] else { continue }
            found += indexes
        }
        return found.sorted()
    }
}
