import Foundation
@testable import Executor
import Testing

/// The way the revert watchdog reconnects: the operator's, as libpq resolved
/// it, with SSL at least over TCP. A resolved verify-ca or verify-full stays:
/// replacing it by require sent the operator's credentials over a TLS whose
/// server nothing checked (or checked without the name).
struct WatchdogTargetTests {
    static func orders(sslmode: String, tcp: Bool) -> RevertWatchdog.Orders {
        RevertWatchdog.Orders(run: "r", stateDirectory: "/nonexistent", conninfo: "",
                              overrides: [["host", "db.example"], ["sslmode", sslmode], ["sslrootcert", "/etc/pgsw/root.crt"]],
                              nonce: "n", revertAt: Date(), armedBy: 1, armedByStartTicks: nil,
                              systemIdentifier: "1", dataDirectory: "/d", sslTCP: tcp)
    }

    @Test(arguments: [("verify-full", true, "verify-full"), ("verify-ca", true, "verify-ca"), ("require", true, "require"),
                      ("prefer", true, "require"), ("disable", true, "require"), ("allow", true, "require"),
                      ("prefer", false, "prefer"), ("verify-full", false, "verify-full")])
    func theResolvedModeStaysUnlessWeaker(resolved: String, tcp: Bool, expected: String) throws {
        let target = try RevertWatchdog.target(of: Self.orders(sslmode: resolved, tcp: tcp))
        #expect(target.explicitKeywords["sslmode"] == expected)
        #expect(target.explicitKeywords["sslrootcert"] == "/etc/pgsw/root.crt")
    }
}
