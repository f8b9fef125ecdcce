import Enforcement
import Testing

/// The operator's one-line words for events (apply's progress, the wizard's log pane).
struct RunEventTextTests {
    @Test func linesNameWhatHappenedWithoutSwiftSyntax() {
        #expect(RunEvent.fileWritten(path: "/d/pg_hba.conf", backup: "/d/pg_hba.conf.bak-1").summary
                == "wrote /d/pg_hba.conf (previous kept as /d/pg_hba.conf.bak-1)")
        #expect(RunEvent.fileWritten(path: "/d/new", backup: nil).summary == "wrote /d/new")
        #expect(RunEvent.terminated(ended: [12, 13, 14], remaining: [12, 13]).summary == "still there after termination: 12, 13")
        #expect(RunEvent.terminated(ended: [12, 13], remaining: []).summary == "terminated 2; all gone")
        #expect(RunEvent.terminated(ended: [], remaining: []).summary == "no planned session was still exposed")
        #expect(RunEvent.preReloadChecksFailed(["a", "b"]).summary == "checks failed: a; b")
        #expect(RunEvent.tlsProven(fingerprint: "AB:CD", protocolVersion: "TLSv1.3").summary == "TLS proven: TLSv1.3, serving SHA-256 AB:CD...")
        for event in [RunEvent.reloadNotTaken("x"), .standbysStreaming(missing: ["s1"]), .confirmationFindings(problems: ["p"])] {
            #expect(!event.summary.contains("Optional(") && !event.summary.contains("(\""), "\(event.summary)")
        }
    }
}
