import Foundation
@testable import HostIO
import Testing

/// `HostFile` opens files in directories others may write (a data
/// directory is the server's OS user's): a FIFO or a device there is looked
/// at, never opened, and no whole-file read takes in more than its limit.
/// Both tests failed on the code before, which opened the name first and
/// read to the end.
struct HostFileReadTests {
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgsw-hostfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        return directory
    }

    /// A writer waiting on the FIFO is not woken: nothing opened it for reading.
    @Test(.timeLimit(.minutes(1))) func aFIFOIsRefusedUnopened() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("postmaster.pid").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writerOpened = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let fd = open(fifo, O_WRONLY)
            writerOpened.signal()
            if fd >= 0 { close(fd) }
        }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(throws: FileWriteError.notRegular(path: fifo, found: "not a regular file")) { try HostFile.read(fifo) }
        #expect(writerOpened.wait(timeout: .now() + 0.3) == .timedOut, "the FIFO was opened for reading")
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        _ = writerOpened.wait(timeout: .now() + 5)
        if reader >= 0 { close(reader) }
    }

    /// A sparse file past the limit is an error, not 64 MiB in memory (or exabytes).
    @Test func aFileOverTheLimitIsNotRead() throws {
        let directory = try Self.scratch()
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
