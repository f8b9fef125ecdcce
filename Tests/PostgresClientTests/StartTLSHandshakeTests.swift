import Foundation
import HostIO
import PostgresClient
import Testing

/// The STARTTLS handshake without a login talks to whoever holds the port:
/// a peer that answers oddly, stalls, trickles bytes or hangs up must get a
/// plain failure back, within the deadline, and never take the process down.
struct StartTLSHandshakeTests {
    /// A peer on a free loopback port that reads the 8-byte SSLRequest, then
    /// behaves as `script` (Python, with `c` the accepted socket) says.
    static func withPeer(_ script: String, _ body: (Int) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgsw-peer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let portFile = directory + "/port"
        let program = """
            import socket, struct, time, os
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
            open("\(portFile).tmp", "w").write(str(s.getsockname()[1])); os.rename("\(portFile).tmp", "\(portFile)")
            c, _ = s.accept()
            request = c.recv(8)
            \(script)
            time.sleep(30)
            """
        let peer = try ProcessRunner.spawn("python3", ["-c", program])
        defer { peer.terminate(graceSeconds: 1) }
        var port: Int?
        for _ in 0..<500 where port == nil {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(10_000) }
        }
        try body(try #require(port, "the peer did not start"))
    }

    /// Runs the handshake on another thread: a handshake that never returned would fail here, not hang the suite.
    static func handshake(port: Int) throws -> Result<StartTLSHandshake.Served, StartTLSHandshake.Failure> {
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<StartTLSHandshake.Served, StartTLSHandshake.Failure>?
        Thread.detachNewThread {
            result = StartTLSHandshake.handshake(host: "127.0.0.1", port: port, timeoutSeconds: 1)
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 20) == .success, "the handshake did not return")
        return try #require(result)
    }

    @Test func aServerWithoutSSLIsNamedAsSuch() throws {
        try Self.withPeer("c.sendall(b'N')") { port in
            guard case .failure(let failure) = try Self.handshake(port: port) else { Issue.record("a handshake with no TLS"); return }
            #expect(failure.reason == "the server does not offer SSL (it answered N)" && failure.serverRefusedTLS)
        }
    }

    @Test func aPeerThatTricklesBytesIsCutAtTheDeadline() throws {
        // A handshake record announced at 16 KiB, then one byte every 200 ms:
        // each read is quick, only the whole exchange is too slow.
        try Self.withPeer("""
            c.sendall(b'S'); c.sendall(b'\\x16\\x03\\x03\\x40\\x00')
            for _ in range(150):
                c.sendall(b'\\x00'); time.sleep(0.2)
            """) { port in
            guard case .failure(let failure) = try Self.handshake(port: port) else { Issue.record("a handshake from a trickle"); return }
            #expect(failure.reason == "no TLS handshake within the timeout" && !failure.serverRefusedTLS)
        }
    }

    @Test func aPeerThatHangsUpAfterTheAnswerLeavesTheProcessStanding() throws {
        // It closes with a reset as the client starts TLS: the client's write
        // must not raise a SIGPIPE that would end this very process.
        try Self.withPeer("""
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            c.sendall(b'S'); c.close()
            """) { port in
            for _ in 0..<3 {
                guard case .failure(let failure) = try Self.handshake(port: port) else { Issue.record("a handshake with nobody"); return }
                #expect(!failure.serverRefusedTLS, "a hang-up is no refusal of TLS")
            }
        }
    }

    @Test func anAnswerOtherThanSOrNIsNoRefusal() throws {
        try Self.withPeer("c.sendall(b'E')") { port in
            guard case .failure(let failure) = try Self.handshake(port: port) else { Issue.record("a handshake after an E"); return }
            #expect(failure.reason == "not a PostgreSQL answer to the SSLRequest" && !failure.serverRefusedTLS)
        }
    }

    @Test func aNameIsNotResolved() {
        guard case .failure(let failure) = StartTLSHandshake.handshake(host: "db.invalid", port: 5432, timeoutSeconds: 1) else {
            Issue.record("a handshake with a name"); return
        }
        #expect(failure.reason == "not a numeric address")
    }
}
