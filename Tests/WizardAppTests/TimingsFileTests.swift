import Foundation
import Testing
import TestSupport
@testable import WizardApp

/// The benchmark's timings file (PGSW_WIZARD_TIMINGS) is written by a
/// wizard that runs as root, perhaps in a directory others can write: it is
/// made new, through a directory reached without another user's links, and
/// written through its descriptor. The code before created it by path
/// (replacing whatever had the name) and opened it by path again, a window
/// in which a link put back sent root's writes to the link's target; each
/// test below failed on it (the last one under the usual umask, 022).
struct TimingsFileTests {
    @Test func aLinkAtThePathIsNotFollowed() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
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

    /// A directory on the way that is another user's link (nobody's here) is not gone through.
    @Test func anotherUsersLinkOnTheWayIsNotFollowed() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let real = directory.appendingPathComponent("real")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: false)
        let link = directory.appendingPathComponent("through")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        #expect(lchown(link.path, 65_534, 65_534) == 0, "the tests run as root")
        #expect(Timings(environment: ["PGSW_WIZARD_TIMINGS": link.path + "/timings"]).file == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: real.path).isEmpty)
    }

    /// Refused at once: an open for writing would wait for a reader.
    @Test(.timeLimit(.minutes(1))) func aFIFOAtThePathIsRefusedAtOnce() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
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
        var info = stat()
        #expect(lstat(fifo.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is left as it was")
    }

    /// A file already there, even root's own, is neither reused nor emptied.
    @Test func aFileAlreadyThereIsLeftAsItIs() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("timings").path
        try Data("old line\n".utf8).write(to: URL(fileURLWithPath: path))
        let timings = Timings(environment: ["PGSW_WIZARD_TIMINGS": path, "PGSW_LAUNCHED_AT": "1"])
        #expect(timings.file == nil)
        timings.firstFrame()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old line\n")
    }

    /// A new file is made 0600 and written.
    @Test func aNewFileIsMadePrivateAndWritten() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("timings").path
        Timings(environment: ["PGSW_WIZARD_TIMINGS": path, "PGSW_LAUNCHED_AT": "1"]).firstFrame()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("first_frame_ms "))
    }

    final class OpenedBox: @unchecked Sendable { var file: FileHandle? }
}
