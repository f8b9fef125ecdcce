import Certificates
import Enforcement
import ClusterFacts
import Foundation
import HostIO
import PostgresClient
import SQLCatalogue

/// The cluster as the audit report compares it before and after a run:
/// sessions by transport, TLS versions, the SSL settings, file hashes and
/// the served certificate's expiry. Read-only.
public enum EvidenceReader {
    /// Configuration and certificate files are small; anything larger is not one.
    static let limit = 16 * 1024 * 1024

    public static func read(_ connection: Connection, server: ServerFacts) throws(PostgresError) -> ClusterEvidence {
        let sessions = try ServerInspector(connection: connection).readSessions().filter { $0.isClient && $0.pid != connection.backendPID }
        let versions = TLSVersions.counts(sessions)
        var settings: [String: String] = [:]
        for row in try connection.query(SQLText.settingValues, [EffectRunner.sslSettingsArray]).rows {
            settings[try row.string("name")] = try row.optionalString("setting") ?? ""
        }
        func absolute(_ path: String?) -> String? {
            guard let path, !path.isEmpty else { return nil }
            return path.hasPrefix("/") ? path : server.dataDirectory + "/" + path
        }
        let certificate = absolute(settings["ssl_cert_file"])
        let paths = [server.hbaFile, server.dataDirectory + "/postgresql.auto.conf", certificate, absolute(settings["ssl_ca_file"])].compactMap { $0 }
        var hashes: [String: String] = [:]
        for path in paths {
            if let bytes = try? HostFile.read(path, limit: Self.limit) { hashes[path] = FileDigest.sha256(bytes) }
        }
        let notAfter = certificate.flatMap { try? HostFile.read($0, limit: Self.limit) }
            .flatMap { CertificateSummary.first(inPEM: $0)?.notAfter }
        return ClusterEvidence(takenAt: Date(), counts: SessionCounts(sessions), tlsVersions: versions, settings: settings,
                               fileHashes: hashes, certificateNotAfter: notAfter)
    }
}
