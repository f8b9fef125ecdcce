import Executor
import Foundation
import HostIO
import ServerLog

/// Issue 22's figure (`make bench BENCH=log`): reading a generated 1 GiB
/// stderr log (prefix '%m [%p] ') for its connection lines, the way
/// `clients` and `plan` do (through a descriptor, in 1 MiB chunks), against
/// `grep -c` counting the authorized lines of the same file. One line in ten
/// is a connection line (received + authorized pairs); the rest are the
/// statements, checkpoints and errors a busy server logs.
enum LogBenchmark {
    static let size = 1 << 30
    static let repetitions = 3

    static func run() throws -> [BenchmarkResult] {
        let path = "/tmp/pgsw-bench-log-\(getpid()).log"
        defer { unlink(path) }
        let (lines, authorized) = try generate(path)
        var found = 0
        let ours = try Measure.samples(repetitions: repetitions) {
            var scanner = ConnectionLogScanner(format: .stderr(LogLinePrefix("%m [%p] ")), timeZone: TimeZone(identifier: "UTC")!)
            try HostFile.open(path).forEachChunk(size: 1 << 20, limit: Int.max) { scanner.feed($0) }
            scanner.finish()
            found = scanner.inventory.reduce(0) { $0 + $1.connections } + scanner.uncountedClients
        }
        guard found == authorized else { throw BenchmarkFailure("read \(found) connections, generated \(authorized)") }
        let grep = try Measure.samples(repetitions: repetitions) {
            let output = try ProcessRunner.checked("grep", ["-c", "connection authorized", path])
            guard Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == authorized else {
                throw BenchmarkFailure("grep counted \(output.stdout)")
            }
        }
        let median = Measure.median(ours)
        print(String(format: "log: %ld lines (%ld connections) in 1 GiB: %.1f million lines/s, %.0f MiB/s",
                     lines, authorized, Double(lines) / median / 1e6, Double(size) / median / 1048576))
        return [BenchmarkResult(name: "read 1 GiB log for connections", samples: ours, baselineName: "grep -c 'connection authorized'", baseline: grep)]
    }

    /// Writes about `size` bytes; returns the line count and the authorized connections in it.
    static func generate(_ path: String) throws -> (Int, Int) {
        guard let file = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            return FileHandle(forWritingAtPath: path)
        }() else { throw BenchmarkFailure("cannot write \(path)") }
        defer { try? file.close() }
        var written = 0, lines = 0, authorized = 0, pid = 1000
        var block = ""
        while written < size {
            block.removeAll(keepingCapacity: true)
            for second in 0..<60 {
                let stamp = String(format: "2026-11-30 08:%02d:%02d.%03d UTC", (lines / 6000) % 60, second, lines % 1000)
                for statement in 0..<9 {
                    block += "\(stamp) [\(pid)] LOG:  duration: 0.\(statement)42 ms  statement: SELECT o.id, o.total FROM orders o WHERE o.customer_id = \(lines % 977) AND o.state = 'open'\n"
                }
                pid += 1
                // A few hundred application hosts, as a busy server sees them.
                let address = "10.\(pid % 3).\(pid % 7).\(pid % 11)"
                block += "\(stamp) [\(pid)] LOG:  connection received: host=\(address) port=\(40000 + pid % 20000)\n"
                block += pid % 3 == 0
                    ? "\(stamp) [\(pid)] LOG:  connection authorized: user=app\(pid % 5) database=sales application_name=web SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)\n"
                    : "\(stamp) [\(pid)] LOG:  connection authorized: user=app\(pid % 5) database=sales application_name=batch\n"
                lines += 11
                authorized += 1
            }
            let data = Data(block.utf8)
            file.write(data)
            written += data.count
        }
        return (lines, authorized)
    }
}
