import Certificates
import ClusterFacts
import PostgresClient

public enum InspectionError: Error, Hashable, Sendable {
    /// The role cannot see what an audit must see.
    case insufficientPrivilege(role: String, missing: [String])
}

extension InspectionError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .insufficientPrivilege(let role, let missing):
            let grants = missing.map { "GRANT \($0) TO \(role);" }.joined(separator: " ")
            return "role \(role) cannot see other sessions' SSL state: it needs \(missing.joined(separator: ", ")) (\(grants)) or a superuser connection"
        }
    }
}

/// The read-only `status` check: connect, inspect, prove TLS with a real
/// handshake (beside the inspection, see `SnapshotWithTLS`), assess.
public enum StatusCheck {
    public static func run(_ target: ConnectionTarget) throws -> StatusReport {
        try run(target) { report, _ in report }
    }

    /// `then` runs on the report while the operator's session is still open,
    /// and the session ends after it. Ending it wakes the server's backend to
    /// exit, which on a small machine took a core from the report being put
    /// together (traced on 2 vCPUs: the process waited 2.5-4.4 ms for a CPU
    /// between its Terminate message and the report). Nothing that waits on
    /// anyone else (printing to a reader, another login) belongs in it. It is
    /// also handed the served certificate, parsed beside the reads
    /// (`SnapshotWithTLS`).
    public static func run<Result>(_ target: ConnectionTarget,
                                   then finish: (StatusReport, CertificateSummary?) throws -> Result) throws -> Result {
        let connection = try Connection.connect(target)
        defer { connection.close() }
        let reading = try SnapshotWithTLS.read(target, connection: connection, parsingCertificate: true) { privileges in
            let missing = privileges.missingForAudit
            guard missing.isEmpty else {
                throw InspectionError.insufficientPrivilege(role: privileges.role, missing: missing)
            }
        }
        let report = StatusReport(snapshot: reading.snapshot, assessment: StatusAssessment(snapshot: reading.snapshot, tls: reading.tls))
        return try finish(report, reading.servedCertificate)
    }
}
