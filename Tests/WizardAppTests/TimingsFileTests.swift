import Foundation
import Testing
@testable import WizardApp

/// The benchmark's timings file (PGSW_WIZARD_TIMINGS) is written by a
/// wizard that runs as root, perhaps in a directory others can write: it is
/// opened once, and only a regular file of root's own is written. The code
/// before created the file by path (replacing whatever was there) and opened
/// it by path again, a window in which a link put back sent root's writes to
/// the link's target; each test below failed on it.
struct TimingsFileTests {
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgsw-timings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        return directory
    }

    @Test func aLinkAtThePathIsNotFollowed() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let victim = directory.appendingPathComponent("victim")
        try Data("kept\n".utf8).write(to: victim)
        let link = directory.appendingPathComponent("timings")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: victim)
        let timings = Timings(environment: ["PGSW_WIZARD_TIMINGS": link.path, "PGSW_LAUNCHED_AT": "1"])
        #expect(timings.file == nil)
        timings.firstFrame()
        #expect(try Data(contentsOf: victim) == Data("kept\n".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == victim.path, "the link is left as it was")
    }

    /// Someone else's file, or a second name of one (a hard link), is left as it is.
    @Test func anotherUsersFileOrAHardLinkIsNotWritten() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let theirs = directory.appendingPathComponent("theirs")
        try Data("theirs\n".utf8).write(to: theirs)
        #expect(chown(theirs.path, 65_534, 65_534) == 0)
        #expect(Timings(environment: ["PGSW_WIZARD_TIMINGS": theirs.path]).file == nil)
        #expect(try Data(contentsOf: theirs) == Data("theirs\n".utf8))

        let own = directory.appendingPathComponent("own")
        try Data("own\n".utf8).write(to: own)
        let second = directory.appendingPathComponent("second-name")
        #expect(link(own.path, second.path) == 0)
        #expect(Timings(environment: ["PGSW_WIZARD_TIMINGS": second.path]).file == nil)
        #expect(try Data(contentsOf: own) == Data("own\n".utf8))
    }

    /// Refused at once: an open for writing would wait for a reader.
    @Test(.timeLimit(.minutes(1))) func aFIFOAtThePathIsRefusedAtOnce() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("timings")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let finished = DispatchSemaphore(value: 0)
        let opened = OpenedBox()
        Thread.detachNewThread {
            opened.file = Timings(environment: ["PGSW_WIZARD_TIMINGS": fifo.path]).file
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 5) == .success, "the timings file's open is still waiting")
        #expect(opened.file == nil)
    }

    /// A new file is made 0600; an own file is emptied; both are written.
    @Test func aRegularFileIsWritten() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fresh = directory.appendingPathComponent("fresh").path
        Timings(environment: ["PGSW_WIZARD_TIMINGS": fresh, "PGSW_LAUNCHED_AT": "1"]).firstFrame()
        let attributes = try FileManager.default.attributesOfItem(atPath: fresh)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: fresh, encoding: .utf8).hasPrefix("first_frame_ms "))

        let path = directory.appendingPathComponent("timings").path
        try Data("old line\n".utf8).write(to: URL(fileURLWithPath: path))
        let timings = Timings(environment: ["PGSW_WIZARD_TIMINGS": path, "PGSW_LAUNCHED_AT": "1"])
        timings.firstFrame()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("first_frame_ms "), "\(text)")
        #expect(!text.contains("old line"))
    }

    final class OpenedBox: @unchecked Sendable { var file: FileHandle? }
}
