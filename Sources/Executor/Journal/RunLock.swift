import Foundation
import HostIO

/// One run at a time per cluster: an exclusive `flock` on the state
/// directory's lock file. The kernel drops it when the holder exits, even
/// by SIGKILL, so a crashed run never leaves a stale lock behind.
public final class RunLock: @unchecked Sendable {
    public let path: String
    public private(set) var descriptor: Int32

    public static func acquire(_ directory: StateDirectory) throws(JournalError) -> RunLock {
        let path = directory.lockFile
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(fd)
            close(fd)
            throw .busy(lockFile: path, holder: holder)
        }
        // Who holds it, for the next one's message.
        let text = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return RunLock(path: path, descriptor: fd)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// The lock held through a descriptor inherited from the process that
    /// took it (the watchdog holds the run for the wizard that armed it).
    public static func adopting(_ descriptor: Int32, path: String) throws(JournalError) -> RunLock {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .write(path: path, reason: "no inherited lock descriptor")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return RunLock(path: path, descriptor: descriptor)
    }

    /// Who holds it, for the next one's message (`run.lock` says it).
    public func describeHolder(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = ftruncate(descriptor, 0)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = pread(fd, &buffer, buffer.count, 0)
        let text = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "unknown process" : text
    }

    /// Closes this holder's descriptor. Never LOCK_UN: a watchdog may hold a
    /// copy of the same open file, and the lock must stay with it; the kernel
    /// drops the lock when the last copy closes.
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
