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

/// The process can end while another thread is inside OpenSSL (the warm-up
/// started at launch, the TLS probe beside the snapshot). OpenSSL's exit
/// handler then freed the tables that thread was reading: `status` against a
/// closed port, or with a wrong flag, died of SIGSEGV in about half the runs
/// instead of exiting 3 or 64 (found by a review). Monitoring reads these
/// exit codes.
struct ExitWhileLoadingTests {
    @Test func exitCodesStayTheSameWhateverTheOtherThreadIsDoing() throws {
        let closed = "host=127.0.0.1 port=1 connect_timeout=2"
        var seen: [String: Int] = [:]
        for _ in 0..<40 {
            seen["status (closed port): \(try Wizard.run(["status", closed]).exitCode)", default: 0] += 1
            seen["status --bogus: \(try Wizard.run(["status", "--bogus"]).exitCode)", default: 0] += 1
        }
        #expect(seen == ["status (closed port): 3": 40, "status --bogus: 64": 40], "\(seen)")
    }

    /// A libpq without a function the wizard calls fails at the first call
    /// into libpq (parsing the connection string, before anything changes)
    /// with one line naming it, never halfway through a run; a command that
    /// fails before connecting is not disturbed by the head start.
    @Test func aLibpqWithoutAFunctionFailsAtTheFirstCallWithOneLine() throws {
        let directory = NSTemporaryDirectory() + "pgsw-stub-libpq-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "int PQlibVersion(void) { return 170000; }\n".write(toFile: directory + "/stub.c", atomically: true, encoding: .utf8)
        // The C compiler Swift brings (the one the package builds its C with).
        let built = try ProcessRunner.run("/usr/bin/env", ["clang", "-shared", "-fPIC", "-o", directory + "/libpq.so.5", directory + "/stub.c"],
                                          inheritEnvironment: true)
        try #require(built.exitCode == 0, "\(built.stderr)")
        let stub = ["LD_LIBRARY_PATH": directory]
        let status = try Wizard.run(["status", "host=127.0.0.1 port=1"], environment: stub)
        #expect(status.exitCode == 127, "\(status.stdout)\(status.stderr)")
        #expect(status.stderr == "pg-ssl-wizard: cannot load PQconnectdbParams (libpq.so.5 and its libraries have no PQconnectdbParams); install libpq5 (PostgreSQL's client library) and try again\n",
                "\(status.stderr)")
        let wrongFlag = try Wizard.run(["status", "--bogus"], environment: stub)
        #expect(wrongFlag.exitCode == 64, "the head start never ends the process: \(wrongFlag.stderr)")
    }
}
