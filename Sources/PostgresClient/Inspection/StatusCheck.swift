import ClusterFacts

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

/// The read-only `status` check: connect, inspect, probe TLS, assess.
public enum StatusCheck {
    public static func run(_ target: ConnectionTarget) throws -> StatusReport {
        let connection = try Connection.connect(target)
        defer { connection.close() }
        let snapshot = try ServerInspector(connection: connection).snapshot()
        let missing = snapshot.privileges.missingForAudit
        guard missing.isEmpty else {
            throw InspectionError.insufficientPrivilege(role: snapshot.privileges.role, missing: missing)
        }
        let probe = snapshot.sslSettingOn ? TLSProbe.probe(target: target, server: snapshot.server, own: snapshot.own) : nil
        var report = StatusReport(snapshot: snapshot, assessment: StatusAssessment(snapshot: snapshot, tls: probe?.availability ?? .notProbed("ssl is off")))
        report.servedCertificateDER = probe?.servedCertificateDER
        return report
    }
}
