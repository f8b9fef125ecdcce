import Foundation
import HostIO
import Testing

/// What libpq is handed to open by path: 0600 in a new 0700 directory, the
/// bytes as given, and nothing left once the copy goes away.
struct PrivateCopyTests {
    @Test func theCopyIsPrivateAndGoesAway() throws {
        var copy: PrivateCopy? = try PrivateCopy(Array("-----BEGIN CERTIFICATE-----\n".utf8), name: "root.crt")
        let path = try #require(copy?.path)
        let directory = (path as NSString).deletingLastPathComponent
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_mode & 0o777 == 0o600 && info.st_uid == geteuid())
        #expect(lstat(directory, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && info.st_mode & 0o777 == 0o700)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("-----BEGIN CERTIFICATE-----\n".utf8))
        copy = nil
        #expect(access(path, F_OK) != 0)
        #expect(access(directory, F_OK) != 0)
    }
}
