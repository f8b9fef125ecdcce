import Foundation

/// Bytes handed to a library that opens its files by path (libpq's
/// `sslrootcert`: `stat`, then `fopen`, following links and waiting on a
/// FIFO): written to a 0600 file in a new 0700 directory of this process's
/// own (`mkdtemp` in /tmp, which is sticky; TMPDIR, which might not be, only
/// where /tmp takes nothing),
/// which nobody else can name in advance, rename or change, and removed
/// with it when the value goes away.
public final class PrivateCopy: @unchecked Sendable {
    public let path: String
    private let directory: String

    public init(_ bytes: [UInt8], name: String) throws(FileWriteError) {
        directory = try Self.newDirectory()
        path = directory + "/" + name
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { let code = errno; rmdir(directory); throw .system(path: path, operation: "create", errno: code) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { let code = errno; unlink(path); rmdir(directory); throw .system(path: path, operation: "write", errno: code) }
            written += count
        }
    }

    /// /tmp first; TMPDIR only where /tmp takes nothing (read-only under a
    /// sandboxed service).
    static func newDirectory() throws(FileWriteError) -> String {
        do {
            return try HostFile.newDirectory(in: "/tmp", prefix: "pg-ssl-wizard")
        } catch {
            return try HostFile.newDirectory(in: FileManager.default.temporaryDirectory.path, prefix: "pg-ssl-wizard")
        }
    }

    deinit {
        unlink(path)
        rmdir(directory)
    }
}
