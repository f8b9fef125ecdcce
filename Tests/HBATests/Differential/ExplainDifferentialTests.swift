import ClusterFacts
import Executor
import Foundation
import HBA
import PlanningInputs
import PostgresClient
import Sandbox
import Testing
import TestSupport

/// `hba explain` against the real server: for generated files, our rows must
/// equal what `pg_hba_file_rules` shows (it re-reads the file on disk, so no
/// reload is needed), error rows included.
struct ExplainDifferentialTests {
    static let filesPerSSLState = Int(ProcessInfo.processInfo.environment["PGSW_EXPLAIN_FILES"] ?? "") ?? 260
    /// Per version of the matrix: fewer files, the same generator (which
    /// writes continuations from 14 and include/regex lines from 16).
    static let matrixFilesPerSSLState = Int(ProcessInfo.processInfo.environment["PGSW_MATRIX_EXPLAIN_FILES"] ?? "") ?? 150

    @Test func explainEqualsPgHbaFileRules() async throws {
        try await TestCluster.with { cluster in
            try Self.compare(on: cluster, filesPerSSLState: Self.filesPerSSLState)
        }
    }

    @Test(arguments: TestServers.parsingMajors)
    func explainEqualsPgHbaFileRulesOnEveryVersion(major: Int) async throws {
        try await TestCluster.with(binaries: try TestServers.binaries(major: major)) { cluster in
            try Self.compare(on: cluster, filesPerSSLState: Self.matrixFilesPerSSLState)
        }
    }

    /// A `/`, `=`, `%` or `@` with a combining mark or a joiner after it is
    /// one character to Swift but a byte to the server. Found by hand and by
    /// a review: `10.0.0.0/́8` was read as a host name, `ma=́x` as no option,
    /// and `fe80::1%‍lo` as the numeric address of interface `lo` (so the
    /// next field was taken for its netmask). The server's rows decide.
    @Test func separatorsBeforeAMarkAreFoundAsTheServerFindsThem() async throws {
        try await TestCluster.with { cluster in
            let text = """
                local all all trust
                host all all 10.0.0.0/\u{301}8 md5
                host all all 10.0.0.0/8 md5 ma=\u{301}x
                host all all fe80::1%\u{200D}lo trust
                host all @\u{301}missing 10.0.0.0/8 md5

                """
            try cluster.writeHBAForTheParseOnly(text)
            let connection = try cluster.superuserConnection()
            let server = try ServerInspector(connection: connection).readHBAFileRules(version: cluster.version)
            connection.close()
            try cluster.writeHBA("local all all trust\n")
            let context = parseContext(for: cluster, sslEnabled: false, interfaceNames: try interfaceNames())
            let ours = FileRulesView.rows(of: HBADocument(path: cluster.hbaFile, text: text, context: context, files: DiskFileSource()))
            #expect(server.count == 5 && server.filter { $0.error != nil }.count >= 2, "\(server)")
            #expect(ours == server, "\(Self.describe(seed: 0, text: text, server: server, ours: ours))")
        }
    }

    /// Writes generated files and compares `pg_hba_file_rules` (which re-reads
    /// the file on disk, so no reload is needed) with our rows, with ssl off
    /// and, where the build has SSL, on (hostssl lines differ between the two).
    static func compare(on cluster: TestCluster, filesPerSSLState: Int) throws {
        try writeAuxiliaryFiles(cluster)
        let names = try interfaceNames()
        let connection = try cluster.superuserConnection()
        defer { connection.close() }
        let inspector = ServerInspector(connection: connection)
        let sslStates = TestServers.hasSSL(cluster.local.binaries) ? [false, true] : [false]
        var compared = 0, rows = 0, errorRows = 0
        var mismatches: [String] = []
        for sslEnabled in sslStates {
            if sslEnabled {
                // enableSSL reloads: what it loads is the fixture's own rules, not the last file generated.
                try cluster.writeHBA("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
                _ = try cluster.enableSSL()
            }
            let context = parseContext(for: cluster, sslEnabled: sslEnabled, interfaceNames: names)
            for index in 0..<filesPerSSLState {
                let seed = UInt64(cluster.version.major * 1_000_000 + (sslEnabled ? 500_000 : 0) + index)
                var generator = ExplainFileGenerator(seed: seed, version: cluster.version.major)
                let text = generator.file()
                try cluster.writeHBAForTheParseOnly(text)
                let server = try inspector.readHBAFileRules(version: cluster.version)
                let ours = FileRulesView.rows(of: HBADocument(path: cluster.hbaFile, text: text, context: context, files: DiskFileSource()))
                compared += 1
                rows += server.count
                errorRows += server.filter { $0.error != nil }.count
                if server != ours, mismatches.count < 5 {
                    mismatches.append(describe(seed: seed, text: text, server: server, ours: ours))
                }
            }
        }
        // Leave a loadable file behind for the cluster's shutdown.
        try cluster.writeHBA("local all all trust\n")
        print("explain differential on PostgreSQL \(cluster.version): \(compared) files, \(rows) rows (\(errorRows) errors), \(mismatches.count) mismatching files")
        #expect(compared == filesPerSSLState * sslStates.count)
        #expect(rows >= compared * 4, "the generated files give rows")
        #expect(errorRows > 0 && errorRows < rows, "both valid and broken lines were compared")
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n\n"))")
    }

    static func describe(seed: UInt64, text: String, server: [HBAFileRule], ours: [HBAFileRule]) -> String {
        var lines = ["seed \(seed):", text, "--- differences (server | ours):"]
        for index in 0..<max(server.count, ours.count) {
            let s = index < server.count ? server[index] : nil
            let o = index < ours.count ? ours[index] : nil
            if s != o { lines.append("  \(s.map { "\($0)" } ?? "-")\n  \(o.map { "\($0)" } ?? "-")") }
        }
        return lines.joined(separator: "\n")
    }
}
