import Foundation
import Sandbox
import Testing
import TestSupport

/// The README's first command as a new user types it, in a real terminal:
/// `make practice` ends in the wizard on the basic scenario; quitting and
/// answering "no" to keeping it leaves nothing behind.
struct MakePracticeTests {
    @Test func makePracticeOpensTheWizardOnTheBasicScenario() throws {
        try TestEnvironment.requireRoot(for: "make practice installs packages and runs clusters as postgres")
        let wizard = try WizardRun()
        let root = TestEnvironment.packageRoot()
        // A source edited after the build would make `make practice` rebuild,
        // which waits forever on the build lock this very `swift test` holds.
        guard Self.newestSource(in: root) <= Self.modified(root + "/.build/debug/pg-ssl-wizard") else {
            throw TestEnvironment.Missing(description: "a source changed after the build, so make practice would rebuild under this test's build lock: run make test again")
        }
        let terminal = try TmuxTerminal("/usr/bin/make", ["-s", "-C", root, "practice"],
                                        environment: ["XDG_STATE_HOME": wizard.stateHome, "HOME": "/root",
                                                      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                                        rows: 40, columns: 120)
        defer { terminal.close() }
        let screen = try terminal.waitFor("PRACTICE", "practice basic: every application back on SSL", "3 other client session(s), 3 plain-text TCP",
                                          timeoutSeconds: 600)
        #expect(screen.contains("[SATISFIED] Preflight"))
        let record = try #require(PracticeRecord.load(.basic, environment: ["XDG_STATE_HOME": wizard.stateHome]))
        try terminal.send("q")
        try terminal.waitFor("Keep the practice sandbox for later? [y/N]")
        try terminal.send("n", "Enter")
        try terminal.waitFor("The practice sandbox has been stopped and removed.")
        #expect(try terminal.exitCode() == 0)
        #expect(LeftoverProcesses.mentioning(record.roots).isEmpty)
        #expect(record.roots.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    }

    /// The Makefile's $(SOURCES): Package.swift, Sources and Resources.
    static func newestSource(in root: String) -> Date {
        var newest = modified(root + "/Package.swift")
        for directory in ["Sources", "Resources"] {
            let enumerator = FileManager.default.enumerator(atPath: root + "/" + directory)
            while let entry = enumerator?.nextObject() as? String {
                newest = max(newest, modified(root + "/" + directory + "/" + entry))
            }
        }
        return newest
    }

    static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }
}
