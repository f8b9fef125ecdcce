import Foundation
import Sandbox

/// The PostgreSQL builds the tests run on. The whole suite runs on the
/// default build (Debian's 15, or `PG_BINDIR`); the matrix tests also run
/// on every other supported major, unpacked by `make servers` into
/// `.servers/<major>`. 13 exists only as a build without SSL, so it serves
/// the pg_hba parsing differential and a few version checks, not enforcement.
public enum TestServers {
    /// Majors with an SSL-capable build that the matrix enforces on, beside the default.
    public static let enforcementMajors = [14, 16, 17, 18]
    /// Majors whose server parses pg_hba.conf for the differential tests.
    public static let parsingMajors = [13, 14, 16, 17, 18]
    /// Debian's server, the default build of the whole suite.
    public static let distributionMajor = 15

    /// The build of `major`; fails (never skips) when it is not installed.
    public static func binaries(major: Int) throws -> PostgresBinaries {
        let directory = major == distributionMajor
            ? "/usr/lib/postgresql/\(major)/bin"
            : TestEnvironment.packageRoot() + "/.servers/\(major)/bin"
        guard FileManager.default.isExecutableFile(atPath: directory + "/postgres") else {
            throw TestEnvironment.Missing(description: "PostgreSQL \(major) is not installed at \(directory): run `make servers` (or `make test`, which runs it)")
        }
        let binaries = try PostgresBinaries.at(directory)
        guard binaries.version.major == major else {
            throw TestEnvironment.Missing(description: "\(directory) holds PostgreSQL \(binaries.version), not \(major): run `make servers` again")
        }
        return binaries
    }

    /// Whether this build can serve TLS (13's cannot).
    public static func hasSSL(_ binaries: PostgresBinaries) -> Bool {
        guard let flags = binaries.configureFlags else { return true }
        return flags.contains("--with-openssl") || flags.contains("--with-ssl=openssl")
    }
}
