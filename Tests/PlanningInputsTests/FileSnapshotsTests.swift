import Certificates
import Foundation
import HostIO
@testable import PlanningInputs
import Testing
import TestSupport

/// The certificate, key and CA paths come from the server's settings, which
/// its OS user can change: whatever they name is looked at before it is
/// opened, and only a regular file of a bounded size is read, to the size it
/// says. The first three tests failed on the code before, which opened the
/// path as root first and read to the end; the last holds what must still
/// work (links followed, as the server follows them).
struct FileSnapshotsTests {
    /// A FIFO behind a link is never opened: a writer waiting on it is not
    /// woken (opening it would be, for a device, calling its driver).
    @Test(.timeLimit(.minutes(1))) func aFIFOBehindALinkIsNotOpened() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let link = directory.appendingPathComponent("server.crt")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: fifo)
        let writer = try WaitingFIFOWriter(fifo.path)
        defer { writer.release() }
        let snapshot = FileSnapshots.read(link.path)
        #expect(snapshot.kind == .other)
        #expect(!writer.gotThrough(within: 0.3), "the FIFO was opened for reading")
    }

    /// Nothing of the kernel's is read, whatever size it says: some of its
    /// files give up what they hold to whoever reads (`/proc/kmsg` drains the
    /// kernel's log; `/proc/self/status`, size 0, stands in here), others
    /// say 4096 and act when read (a sysfs attribute).
    @Test func theKernelsFilesAreNotRead() {
        for path in ["/proc/self/status", "/sys/kernel/uevent_seqnum"] {
            let snapshot = FileSnapshots.read(path)
            #expect(snapshot.kind == .other, "\(path)")
            #expect(snapshot.bytes == nil, "\(path)")
        }
    }

    /// A file larger than any certificate (sparse: it costs no disk) is not read.
    @Test func aHugeFileIsNotRead() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let huge = directory.appendingPathComponent("server.key")
        #expect(FileManager.default.createFile(atPath: huge.path, contents: nil))
        #expect(truncate(huge.path, off_t(HostFile.readLimit) + 1) == 0)
        let snapshot = FileSnapshots.read(huge.path)
        #expect(snapshot.kind == .unreadable)
        #expect(snapshot.bytes == nil)
    }

    /// A regular file through a link is read, with the owner and mode of the file itself.
    @Test func aRegularFileThroughALinkIsRead() throws {
        let directory = URL(fileURLWithPath: try TestEnvironment.scratchDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("archive.pem")
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: file)
        #expect(chmod(file.path, 0o640) == 0)
        let link = directory.appendingPathComponent("fullchain.pem")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
        let snapshot = FileSnapshots.read(link.path)
        #expect(snapshot.kind == .regular)
        #expect(snapshot.bytes == Array("-----BEGIN CERTIFICATE-----\n".utf8))
        #expect(snapshot.mode & 0o777 == 0o640)
        #expect(snapshot.ownerUID == geteuid())
        #expect(FileSnapshots.read(directory.appendingPathComponent("absent").path).kind == .missing)
    }
}
