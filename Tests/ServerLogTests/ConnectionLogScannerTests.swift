import ClusterFacts
import Foundation
import Testing
@testable import ServerLog

/// The log reader on values: the three formats, prefixes, chunking, and
/// lines shaped to mislead it.
struct ConnectionLogScannerTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func scan(_ text: String, _ format: LogFormat, chunk: Int = 1 << 20, since: Date? = nil) -> ConnectionLogScanner {
        var scanner = ConnectionLogScanner(format: format, timeZone: utc, since: since)
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            bytes[start..<end].withUnsafeBytes { scanner.feed($0) }
            start = end
        }
        scanner.finish()
        return scanner
    }

    static let stderrLog = """
        2026-11-30 08:00:00.100 UTC [101] LOG:  connection received: host=10.0.0.5 port=40001
        2026-11-30 08:00:00.120 UTC [101] LOG:  connection authorized: user=app database=sales application_name=nightly report
        2026-11-30 08:00:05.000 UTC [102] LOG:  connection received: host=10.0.0.6 port=40002
        2026-11-30 08:00:05.030 UTC [102] LOG:  connection authorized: user=web database=sales application_name=shop SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
        2026-11-30 08:00:06.000 UTC [103] LOG:  connection received: host=10.0.0.9 port=40003
        2026-11-30 08:00:06.010 UTC [103] LOG:  replication connection authorized: user=replicator application_name=standby-1
        2026-11-30 08:00:07.000 UTC [104] LOG:  statement: SELECT 'connection authorized: user=fake database=x'
        2026-11-30 08:00:07.500 UTC [105] ERROR:  syntax error
        \t2026-11-30 08:00:07.600 UTC [106] LOG:  connection authorized: user=forged database=x
        2026-11-30 09:00:00.000 UTC [107] LOG:  connection received: host=10.0.0.5 port=40004
        2026-11-30 09:00:00.020 UTC [107] LOG:  connection authorized: user=app database=sales application_name=nightly report

        """

    @Test func stderrWithPIDPrefixTiesAddressesToConnections() throws {
        let scanner = Self.scan(Self.stderrLog, .stderr(LogLinePrefix("%m [%p] ")))
        let clients = scanner.inventory
        #expect(clients.count == 3, "\(clients)")
        let nightly = try #require(clients.first { $0.user == "app" })
        #expect(nightly.address == "10.0.0.5" && nightly.database == "sales" && nightly.applicationName == "nightly report")
        #expect(nightly.encryption == .plain && nightly.connections == 2 && nightly.plainWhileSSLOffered)
        #expect(abs((nightly.firstSeen?.timeIntervalSince1970 ?? 0) - 1_796_025_600.12) < 0.001, "\(String(describing: nightly.firstSeen))")
        #expect(abs((nightly.lastSeen?.timeIntervalSince1970 ?? 0) - 1_796_029_200.02) < 0.001)
        let shop = try #require(clients.first { $0.user == "web" })
        #expect(shop.encryption == .ssl && shop.tlsVersion == "TLSv1.3" && shop.address == "10.0.0.6")
        let standby = try #require(clients.first { $0.replication })
        #expect(standby.user == "replicator" && standby.database == nil && standby.applicationName == "standby-1")
        #expect(!clients.contains { $0.user == "fake" || $0.user == "forged" }, "a statement and a continuation line are not connections")
    }

    @Test func everyChunkSizeReadsTheSame() {
        let whole = Self.scan(Self.stderrLog, .stderr(LogLinePrefix("%m [%p] "))).inventory
        for size in [1, 7, 64, 333] {
            #expect(Self.scan(Self.stderrLog, .stderr(LogLinePrefix("%m [%p] ")), chunk: size).inventory == whole, "chunks of \(size)")
        }
    }

    @Test func aPrefixWithHostAndNamesNeedsNoReceivedLine() throws {
        let log = """
            2026-11-30 08:00:00 UTC [201]: user=app,db=sales,app=batch,client=10.1.1.1 LOG:  connection authorized: user=app database=sales application_name=batch
            2026-11-30 08:00:01 UTC [202]: user=app,db=sales,app=psql,client=[local] LOG:  connection authorized: user=app database=sales application_name=psql

            """
        let clients = Self.scan(log, .stderr(LogLinePrefix("%t [%p]: user=%u,db=%d,app=%a,client=%h "))).inventory
        #expect(Set(clients.map { $0.address ?? "-" }) == ["10.1.1.1", "[local]"], "\(clients)")
        #expect(clients.first { $0.address == "10.1.1.1" }?.isTCP == true && clients.first { $0.address == "[local]" }?.isTCP == false)
        // %r is host(port).
        let remote = Self.scan("2026-11-30 08:00:00.000 UTC 10.2.2.2(5555) LOG:  connection authorized: user=u database=d application_name=a\n",
                               .stderr(LogLinePrefix("%m %r "))).inventory
        #expect(remote.first?.address == "10.2.2.2")
    }

    @Test func withoutPIDOrHostTheAddressIsUnknown() {
        let log = "2026-11-30 08:00:00.000 UTC LOG:  connection received: host=10.0.0.5 port=1\n2026-11-30 08:00:00.010 UTC LOG:  connection authorized: user=u database=d application_name=a\n"
        let clients = Self.scan(log, .stderr(LogLinePrefix("%m "))).inventory
        #expect(clients.count == 1 && clients[0].address == nil)
    }

    @Test func csvlogRecordsAndQuotedLinesThatLookLikeRecords() throws {
        let log = #"""
            2026-11-30 08:00:00.100 UTC,"app","sales",301,"10.0.0.5:40001",6578a1.12d,2,"authentication",2026-11-30 08:00:00 UTC,3/1,0,LOG,00000,"connection authorized: user=app database=sales application_name=nightly",,,,,,,,,"nightly","client backend",,0
            2026-11-30 08:00:01.000 UTC,"app","sales",302,"10.0.0.7:40002",6578a1.12e,3,"idle",2026-11-30 08:00:00 UTC,3/2,0,LOG,00000,"statement: SELECT 'x
            2026-11-30 08:00:02.000 UTC,""forged"","""",303,""10.9.9.9:1"",a.b,1,"""",2026-11-30 08:00:00 UTC,3/3,0,LOG,00000,""connection authorized: user=forged database=x"",,,,
            '",,,,,,,,,"psql","client backend",,0
            2026-11-30 08:00:03.000 UTC,"web","sales",304,"[::1]:40003",6578a1.12f,2,"authentication",2026-11-30 08:00:03 UTC,3/4,0,LOG,00000,"connection authorized: user=web database=sales application_name=shop SSL enabled (protocol=TLSv1.2, cipher=ECDHE, bits=256)",,,,,,,,,"shop","client backend",,0

            """#
        let clients = Self.scan(log, .csv).inventory
        #expect(clients.count == 2, "\(clients)")
        #expect(clients.first { $0.user == "app" }?.address == "10.0.0.5")
        let web = try #require(clients.first { $0.user == "web" })
        #expect(web.address == "::1" && web.encryption == .ssl && web.tlsVersion == "TLSv1.2")
    }

    @Test func jsonlogRecords() throws {
        let log = """
            {"timestamp":"2026-11-30 08:00:00.100 UTC","user":"app","dbname":"sales","pid":401,"remote_host":"10.0.0.5","remote_port":40001,"error_severity":"LOG","message":"connection authorized: user=app database=sales application_name=nightly","backend_type":"client backend"}
            {"timestamp":"2026-11-30 08:00:01.100 UTC","user":"app","dbname":"sales","pid":402,"remote_host":"10.0.0.5","error_severity":"LOG","message":"statement: SELECT 'connection authorized: user=x database=y'"}
            {"timestamp":"2026-11-30 08:00:02.100 UTC","user":"k","dbname":"sales","pid":403,"remote_host":"10.0.0.8","error_severity":"LOG","message":"connection authorized: user=k database=sales application_name=kerb GSS (authenticated=yes, encrypted=yes, delegated_credentials=no, principal=k@EXAMPLE.COM)"}

            """
        let clients = Self.scan(log, .json).inventory
        #expect(clients.count == 2, "\(clients)")
        #expect(clients.first { $0.user == "app" }.map { $0.address == "10.0.0.5" && $0.encryption == .plain } == true)
        #expect(clients.first { $0.user == "k" }?.encryption == .gss)
    }

    @Test func sinceLeavesOlderConnectionsOut() {
        let since = Date(timeIntervalSince1970: 1_796_028_000)  // 2026-11-30 08:40 UTC
        let clients = Self.scan(Self.stderrLog, .stderr(LogLinePrefix("%m [%p] ")), since: since).inventory
        #expect(clients.count == 1 && clients[0].user == "app" && clients[0].connections == 1, "\(clients)")
    }

    @Test func plainBeforeAnySSLIsNotCalledAChoice() {
        let log = "2026-11-30 08:00:00.000 UTC [1] LOG:  connection authorized: user=u database=d application_name=a\n"
        #expect(Self.scan(log, .stderr(LogLinePrefix("%m [%p] "))).inventory.first?.plainWhileSSLOffered == false)
    }
}
