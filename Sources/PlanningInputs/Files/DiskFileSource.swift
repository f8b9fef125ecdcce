import Foundation
import HBA

/// The HBA engine's view of the real file system (the engine itself does no I/O).
public struct DiskFileSource: FileSource {
    public init() {}

    public func read(_ path: String) -> FileRead {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            return .failure(reason: String(cString: strerror(code)), missing: code == ENOENT)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 { return .failure(reason: String(cString: strerror(errno)), missing: false) }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return .contents(bytes)
    }

    public func list(_ directory: String) -> Result<[String], FileListError> {
        do {
            return .success(try FileManager.default.contentsOfDirectory(atPath: directory))
        } catch {
            let reason = FileManager.default.fileExists(atPath: directory) ? "Permission denied" : "No such file or directory"
            return .failure(FileListError(reason: reason))
        }
    }

    public func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
