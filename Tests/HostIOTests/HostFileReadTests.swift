import Foundation
@testable import HostIO
import Testing
import TestSupport

/// `HostFile` opens files in directories others may write (a data
/// directory is the server's OS user's): a FIFO or a device there is looked
/// at, never opened, and no whole-file read takes in more than its limit.
/// Each test failed on the code before, which opened the name first and
/// read to the end.
struct HostFileReadTests {
    /// A writer waiting on the FIFO is not woken: nothing opened it for reading.
    @Test(.timeLimit(.minutes(1))) func aFIFOIsRefusedUnopened() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("postmaster.pid").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = try WaitingFIFOWriter(fifo)
        defer { writer.release() }
        #expect(throws: FileWriteError.notRegular(path: fifo, found: "not a regular file")) { try HostFile.read(fifo) }
        #expect(!writer.gotThrough(within: 0.3), "the FIFO was opened for reading")
    }

    /// Read to the size the file says and no further: `/proc/kmsg` says 0
    /// and gives up the kernel's log to whoever reads it (`/proc/self/status`,
    /// reached through root's own link, stands in here).
    @Test func aFileThatSaysItIsEmptyIsNotRead() throws {
        #expect(try HostFile.read("/proc/self/status") == [])
    }

    /// A sparse file past the limit is an error, not 64 MiB in memory (or exabytes).
    @Test func aFileOverTheLimitIsNotRead() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let huge = directory.appendingPathComponent("pg_hba.conf").path
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, off_t(HostFile.readLimit) + 1) == 0)
        #expect(throws: FileWriteError.self) { try HostFile.read(huge) }
        #expect(HostFile.sha256(huge) == nil)
        let small = directory.appendingPathComponent("small").path
        try Data("local all all peer\n".utf8).write(to: URL(fileURLWithPath: small))
        #expect(try HostFile.read(small) == Array("local all all peer\n".utf8))
    }
}
