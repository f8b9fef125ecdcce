import Foundation
import Testing
import WizardUI

/// Plain-text golden files of rendered screens (Tests/WizardUITests/Golden).
/// PGSW_RECORD_GOLDEN=1 re-records them; a missing file is recorded and the
/// test fails, so a new screen is always looked at before it is committed.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    static func check(_ grid: CellGrid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = directory.appendingPathComponent("\(name)-\(grid.columns)x\(grid.rows).txt")
        let actual = grid.text + "\n"
        let recording = ProcessInfo.processInfo.environment["PGSW_RECORD_GOLDEN"] == "1"
        guard !recording, let expected = try? String(contentsOf: file, encoding: .utf8) else {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? actual.write(to: file, atomically: true, encoding: .utf8)
            if !recording { Issue.record("recorded \(file.lastPathComponent): review it and commit", sourceLocation: sourceLocation) }
            return
        }
        #expect(actual == expected, "\(file.lastPathComponent) differs (PGSW_RECORD_GOLDEN=1 re-records):\n\(actual)", sourceLocation: sourceLocation)
    }
}
