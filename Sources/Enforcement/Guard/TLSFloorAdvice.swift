import ClusterFacts

/// What to tell the operator about a client below a raised TLS floor: the
/// floor can only be kept where the wizard allows it (TLSv1.2 at least).
enum TLSFloorAdvice {
    static func fix(version: String, floor: String) -> String {
        let upgrade = "upgrade that client's TLS library to one that speaks \(floor)"
        // The wizard never sets a floor below TLSv1.2: only a TLSv1.3 floor has a lower one to keep.
        if TLSVersions.rank(floor) > TLSVersions.rank("TLSv1.2") && TLSVersions.rank(version) >= TLSVersions.rank("TLSv1.2") {
            return upgrade + ", or keep the floor at TLSv1.2 (--min-tls TLSv1.2)"
        }
        return upgrade + " (the wizard never sets a floor below TLSv1.2)"
    }
}
