import Foundation
import HostIO
import Testing
import TestSupport

/// libpq, and the ~25 libraries it brings (OpenSSL, Kerberos, LDAP...), are
/// loaded at the first call into them (issue 24): a command that only reads
/// files does not pay for mapping them, and one that connects still gets
/// them, TLS included. The dynamic loader says which libraries it loads.
struct LazyLibpqTests {
    static func loadsLibpq(_ run: ProcessOutput) -> Bool {
        run.stderr.contains("find library=libpq.so.5")
    }

    @Test func fileCommandsDoNotLoadLibpqAndConnectingOnesDo() async throws {
        try await TestCluster.with { cluster in
            let trace = ["LD_DEBUG": "libs"]
            let explain = try Wizard.run(["hba", "explain", cluster.hbaFile], environment: trace)
            #expect(explain.exitCode == 0, "\(explain.stderr.suffix(2000))")
            #expect(explain.stdout.contains("AUTH_METHOD"))
            #expect(!Self.loadsLibpq(explain), "hba explain mapped libpq")
            let version = try Wizard.run(["--version"], environment: trace)
            #expect(!Self.loadsLibpq(version), "--version mapped libpq")

            let status = try Wizard.run(["status", cluster.socketConninfo], environment: trace)
            // Exit 2: this practice server does not enforce SSL; what counts is that it connected.
            #expect(status.stdout.contains("Connected as postgres"), "\(status.stdout)\n\(status.stderr.suffix(2000))")
            #expect(Self.loadsLibpq(status), "status connected without libpq?")
            #expect(status.stderr.contains("find library=libssl.so.3"), "libpq came without its OpenSSL")
        }
    }
}
