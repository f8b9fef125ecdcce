import ClusterFacts

public enum SandboxError: Error, Hashable, Sendable {
    case serverBinariesNotFound
    case missingServerProgram(String, directory: String)
    case noFreePort
    case noServerUser
    case initdbFailed(String)
    case startFailed(log: String)
    case stopFailed(String)
    case fileSystem(String)
    case unknownScenario(String, known: [String])
    case noSandbox(String)
    case setupFailed(String)
    case sandboxKept(scenario: String, conninfo: String)
}

extension SandboxError: OperatorFacingError {
    public var operatorMessage: String {
        switch self {
        case .serverBinariesNotFound:
            return "no PostgreSQL server programs found; install the postgresql package or set PG_BINDIR to a directory with initdb and pg_ctl"
        case .missingServerProgram(let tool, let directory):
            return "\(directory) has no usable \(tool); set PG_BINDIR to a PostgreSQL bin directory"
        case .noFreePort:
            return "no free TCP port on 127.0.0.1 for a sandbox cluster"
        case .noServerUser:
            return "running as root needs an OS user named postgres to own the cluster (initdb refuses root); install the postgresql package"
        case .initdbFailed(let detail):
            return "initdb failed: \(detail)"
        case .startFailed(let log):
            return "the sandbox server did not start; its log ends with: \(log)"
        case .stopFailed(let detail):
            return "the sandbox server did not stop: \(detail)"
        case .fileSystem(let detail):
            return "sandbox file error: \(detail)"
        case .unknownScenario(let name, let known):
            return "there is no scenario \"\(name)\"; choose one of: \(known.joined(separator: ", "))"
        case .noSandbox(let path):
            return "no kept \(path) sandbox to destroy; start one with pg-ssl-wizard practice --scenario \(path) --keep"
        case .setupFailed(let detail):
            return "the scenario could not be set up: \(detail)"
        case .sandboxKept(let scenario, let conninfo):
            return "a kept \(scenario) sandbox exists: open it with pg-ssl-wizard \"\(conninfo)\", or remove it with pg-ssl-wizard practice --scenario \(scenario) --destroy"
        }
    }
}
