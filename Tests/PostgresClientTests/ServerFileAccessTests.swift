import ClusterFacts
import Foundation
@testable import PostgresClient
import Testing

/// `ServerInspector.fileAccess` looks at files in a directory the server's
/// OS user owns, as root: whatever is found there must not stop the wizard.
@Suite struct ServerFileAccessTests {
    static func facts(dataDirectory: String) -> ServerFacts {
        ServerFacts(version: ServerVersion(major: 15, minor: 18), versionString: "PostgreSQL 15.18", systemIdentifier: "7000",
                    dataDirectory: dataDirectory, configFile: dataDirectory + "/postgresql.conf", hbaFile: dataDirectory + "/pg_hba.conf",
                    identFile: dataDirectory + "/pg_ident.conf", listenAddresses: "localhost", port: 5432, confLoadTime: nil,
                    postmasterStartTime: nil, inRecovery: false)
    }

    static func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "pgsw-file-access-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/global", withIntermediateDirectories: true)
        try "local all all trust\n".write(toFile: directory + "/pg_hba.conf", atomically: false, encoding: .utf8)
        return directory
    }

    /// A FIFO where pg_control should be: opening it to read waited for a
    /// writer that never comes, and the inspection with it, for ever (found
    /// by a review; shown hanging before the fix). Now the look fails at
    /// once and the file proves nothing.
    @Test func aFIFOAtPgControlProvesNothingAndStopsNothing() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/global/pg_control"
        #expect(mkfifo(fifo, 0o600) == 0)
        let done = DispatchSemaphore(value: 0)
        let result = Box()
        Thread.detachNewThread {
            result.access = ServerInspector.fileAccess(Self.facts(dataDirectory: directory))
            done.signal()
        }
        let returned = done.wait(timeout: .now() + 5) == .success
        if !returned {
            // Let the stuck reader go (a writer for it), so the thread ends with the test.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            _ = done.wait(timeout: .now() + 5)
        }
        #expect(returned, "the look at pg_control did not return within 5 s")
        #expect(result.access?.sameHostVerified == false)
        #expect(result.access?.hbaReadable == true)
    }

    /// The real thing still proves it: pg_control's first 8 bytes are the
    /// system identifier (little-endian on this host).
    @Test func aRegularPgControlWithTheIdentifierProvesTheHost() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var identifier = UInt64(7000).littleEndian
        let bytes = withUnsafeBytes(of: &identifier) { Data($0) } + Data(repeating: 0, count: 8184)
        #expect(FileManager.default.createFile(atPath: directory + "/global/pg_control", contents: bytes))
        #expect(ServerInspector.fileAccess(Self.facts(dataDirectory: directory)).sameHostVerified)
        // A link to it is not followed: the data directory's owner could point it anywhere.
        try FileManager.default.moveItem(atPath: directory + "/global/pg_control", toPath: directory + "/global/elsewhere")
        try FileManager.default.createSymbolicLink(atPath: directory + "/global/pg_control", withDestinationPath: directory + "/global/elsewhere")
        #expect(!ServerInspector.fileAccess(Self.facts(dataDirectory: directory)).sameHostVerified)
    }

    /// The room the rewrite needs: two copies and some slack, saturating
    /// instead of overflowing for a file near the largest size.
    @Test func theRoomNeededNeverOverflows() {
        #expect(ServerInspector.roomNeeded(forFileOfSize: 1000) == 2000 + 64 * 1024)
        #expect(ServerInspector.roomNeeded(forFileOfSize: UInt64(Int64.max)) == UInt64.max)
        #expect(ServerInspector.roomNeeded(forFileOfSize: UInt64.max) == UInt64.max)
    }

    final class Box: @unchecked Sendable { var access: FileAccess? }
}
