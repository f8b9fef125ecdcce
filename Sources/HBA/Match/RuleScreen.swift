/// A rule reduced to what can be checked without touching its strings:
/// connection type and network as plain words. The untraced matcher scans
/// these (contiguous, no reference counting) and evaluates a rule in full
/// only when its screen does not already rule the attempt out.
struct RuleScreen: Sendable {
    let type: ConnectionType
    /// 0: no network to compare (all, samehost, host names, local); 4 or 6.
    let family: UInt8
    let network: (UInt64, UInt64)
    let mask: (UInt64, UInt64)

    init(_ rule: HBARule) {
        type = rule.connectionType
        if case .network(let address, let mask)? = rule.address, address.family == mask.family {
            family = address.family == .v4 ? 4 : 6
            network = address.words
            self.mask = mask.words
        } else {
            family = 0
            network = (0, 0)
            mask = (0, 0)
        }
    }

    /// The attempt as the screens compare it.
    struct Client {
        let tcp: Bool
        let ssl: Bool
        let gss: Bool
        let family: UInt8
        let words: (UInt64, UInt64)

        init(_ attempt: ConnectionAttempt) {
            tcp = attempt.transport != .unixSocket
            ssl = attempt.ssl
            gss = attempt.gssEncrypted
            if let address = attempt.clientAddress {
                family = address.family == .v4 ? 4 : 6
                words = address.words
            } else {
                family = 0
                words = (0, 0)
            }
        }
    }

    /// True only where `Matcher.evaluate` would surely answer "no".
    func misses(_ client: Client, gssapiBuild: Bool) -> Bool {
        switch type {
        case .local: return client.tcp
        case .host: if !client.tcp { return true }
        case .hostssl: if !client.tcp || !client.ssl { return true }
        case .hostnossl: if !client.tcp || client.ssl { return true }
        case .hostgssenc: if !client.tcp || !gssapiBuild || !client.gss { return true }
        case .hostnogssenc: if !client.tcp || client.gss { return true }
        }
        guard family != 0, client.family != 0 else { return false }
        if family != client.family { return true }
        return (client.words.0 ^ network.0) & mask.0 != 0 || (client.words.1 ^ network.1) & mask.1 != 0
    }
}
