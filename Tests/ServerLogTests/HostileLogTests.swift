import ClusterFacts
import Foundation
import Testing
@testable import ServerLog

/// Log lines shaped by an attacker (docs/SECURITY.md, "Log injection"):
/// none of them becomes a client, and memory stays bounded.
struct HostileLogTests {
    static let prefix = LogFormat.stderr(LogLinePrefix("%m [%p] "))

    @Test func recordsInsideStatementsAndErrorsAreNotRead() {
        let log = """
            2026-11-30 08:00:00.000 UTC [301] ERROR:  division by zero
            2026-11-30 08:00:00.000 UTC [301] STATEMENT:  select 1/0 -- LOG:  connection received: host=10.0.0.7 port=1
            2026-11-30 08:00:00.001 UTC [301] STATEMENT:  select 1/0 -- LOG:  connection authorized: user=admin database=prod
            2026-11-30 08:00:00.002 UTC [302] FATAL:  role "x LOG:  connection authorized: user=admin database=prod" does not exist

            """
        let scanner = ConnectionLogScannerTests.scan(log, Self.prefix)
        #expect(scanner.inventory.isEmpty, "\(scanner.inventory)")
    }

    @Test func anApplicationNameEndingLikeTheSSLSuffixIsCaughtWhereTheFormatSaysTheName() throws {
        let fake = "x SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
        let csv = "2026-11-30 08:00:00.100 UTC,\"app\",\"sales\",301,\"10.0.0.5:40001\",a.b,2,\"authentication\",2026-11-30 08:00:00 UTC,3/1,0,LOG,00000,"
            + "\"connection authorized: user=app database=sales application_name=\(fake)\",,,,,,,,,\"\(fake)\",\"client backend\",,0\n"
            + "2026-11-30 08:00:01.100 UTC,\"late\",\"sales\",302,\"10.0.0.6:40002\",a.c,2,\"authentication\",2026-11-30 08:00:01 UTC,3/2,0,LOG,00000,"
            + "\"connection authorized: user=late database=sales application_name=etl\",,,,,,,,,\"etl\",\"client backend\",,0\n"
        let scanner = ConnectionLogScannerTests.scan(csv, .csv)
        #expect(scanner.skippedLines == 1 && !scanner.inventory.contains { $0.user == "app" }, "\(scanner.inventory)")
        // The forged SSL line did not make the next plain client look like a choice.
        let late = try #require(scanner.inventory.first { $0.user == "late" })
        #expect(late.encryption == .plain && !late.plainWhileSSLOffered)

        let json = "{\"timestamp\":\"2026-11-30 08:00:00.100 UTC\",\"pid\":401,\"remote_host\":\"10.0.0.5\",\"error_severity\":\"LOG\","
            + "\"message\":\"connection authorized: user=app database=sales application_name=\(fake)\",\"application_name\":\"\(fake)\"}\n"
        #expect(ConnectionLogScannerTests.scan(json, .json).inventory.isEmpty)
        let stderr = "2026-11-30 08:00:00.100 UTC [501] \(fake) LOG:  connection authorized: user=app database=sales application_name=\(fake)\n"
        #expect(ConnectionLogScannerTests.scan(stderr, .stderr(LogLinePrefix("%m [%p] %a "))).inventory.isEmpty)
    }

    @Test func anEndlessLineCostsBoundedMemory() throws {
        var scanner = ConnectionLogScanner(format: Self.prefix, timeZone: TimeZone(identifier: "UTC")!)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<16 { zeros.withUnsafeBytes { scanner.feed($0) } }
        #expect(scanner.pending.count <= ConnectionLogScanner.maxLine, "\(scanner.pending.count) bytes kept")
        let rest = Array("\n2026-11-30 08:00:00.000 UTC [9] LOG:  connection authorized: user=u database=d application_name=a\n".utf8)
        rest.withUnsafeBytes { scanner.feed($0) }
        scanner.finish()
        #expect(scanner.longLines == 1 && scanner.inventory.count == 1, "the next line is read again")
    }

    @Test func aFloodOfDistinctClientsIsCountedNotKept() {
        var log = ""
        for index in 0..<(ConnectionLogScanner.maxClients + 50) {
            log += "2026-11-30 08:00:00.000 UTC [\(index)] LOG:  connection authorized: user=u\(index) database=d application_name=a\n"
        }
        let scanner = ConnectionLogScannerTests.scan(log, Self.prefix)
        #expect(scanner.inventory.count == ConnectionLogScanner.maxClients && scanner.uncountedClients == 50)
    }
}
