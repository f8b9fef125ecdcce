/// The version, and the commit an installed copy was built from.
/// `make install` writes the commit over the placeholder in the installed
/// binary (`scripts/stamp-commit`): no rebuild, and a binary run from the
/// build tree says it is not stamped rather than guessing.
enum BuildStamp {
    static let version = "0.9.0"

    /// A marker and 40 placeholder characters, the length of a commit id.
    static let stamp = "pgsw-build-commit=________________________________________"

    @inline(never)
    static var commit: String? {
        let value = stamp.dropFirst("pgsw-build-commit=".count)
        return value.allSatisfy { $0 == "_" } ? nil : String(value)
    }

    static var versionText: String {
        "pg-ssl-wizard \(version) (commit \(commit ?? "unknown: not installed with make install"))"
    }
}
