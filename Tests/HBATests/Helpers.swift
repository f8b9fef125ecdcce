import ClusterFacts
import HBA

func document(_ text: String, version: Int = 18, ssl: Bool = true, files: [String: String] = [:],
              path: String = "/etc/pg/pg_hba.conf") -> HBADocument {
    HBADocument(path: path, text: text, context: ParseContext(syntax: ServerSyntax(major: version), sslEnabled: ssl),
                files: InMemoryFiles(files))
}

func rows(_ text: String, version: Int = 18, ssl: Bool = true, files: [String: String] = [:]) -> [HBAFileRule] {
    FileRulesView.rows(of: document(text, version: version, ssl: ssl, files: files))
}

func errors(_ text: String, version: Int = 18, ssl: Bool = true) -> [String?] {
    rows(text, version: version, ssl: ssl).map(\.error)
}

func tcp(_ address: String, ssl: Bool = false, user: String = "app", database: String = "app",
         replication: ConnectionAttempt.Replication = .none) -> ConnectionAttempt {
    ConnectionAttempt(transport: .tcp(IPAddress(numeric: address)!), ssl: ssl, database: database, user: user, replication: replication)
}
