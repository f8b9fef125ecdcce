import Executor
import Foundation
import HostIO
import TestSupport

/// Three real clusters as an Ansible inventory (`ansible_connection=local`,
/// the wizard running as the server's OS user through `su`), and
/// `ansible-playbook` run on the repository's own playbooks.
struct AnsibleFleet {
    let clusters: [String: TestCluster]
    let directory: String
    var hosts: [String] { clusters.keys.sorted() }
    var reportDirectory: String { directory + "/report" }
    var playbooks: String { TestEnvironment.packageRoot() + "/contrib/ansible" }

    init(clusters: [String: TestCluster]) throws {
        self.clusters = clusters
        directory = try TestEnvironment.scratchDirectory()
        for host in clusters.keys {
            // The wizard's state per host: the test clusters share one system identifier.
            let state = directory + "/\(host)/state"
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            let owner = clusters[host]!.local.owner
            chown(directory + "/\(host)", owner.uid, owner.gid)
            chown(state, owner.uid, owner.gid)
        }
    }

    /// The inventory, with per-host options and extra environment, and the binary the role copies.
    func writeInventory(options: [String: String] = [:], environment: [String: [String: String]] = [:],
                        binary: String = Wizard.path) throws -> String {
        var hostEntries: [String: Any] = [:]
        for (host, cluster) in clusters {
            hostEntries[host] = [
                "pg_ssl_wizard_conninfo": cluster.socketConninfo,
                "pg_ssl_wizard_install_path": directory + "/\(host)/pg-ssl-wizard",
                "pg_ssl_wizard_options": "--include-loopback " + (options[host] ?? ""),
                "pg_ssl_wizard_environment": ["XDG_STATE_HOME": directory + "/\(host)/state"].merging(environment[host] ?? [:]) { $1 },
            ]
        }
        let inventory: [String: Any] = ["all": [
            "vars": [
                "ansible_connection": "local",
                "ansible_python_interpreter": "/usr/bin/python3",
                "ansible_become_method": "su",
                "pg_ssl_wizard_binary": binary,
                "pg_ssl_wizard_report_dir": reportDirectory,
                "pg_ssl_wizard_confirm_within": 120,
            ],
            "hosts": hostEntries,
        ]]
        let path = directory + "/inventory.json"
        try JSONSerialization.data(withJSONObject: inventory, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    struct Outcome {
        var exitCode: Int32
        var output: String
        var seconds: Double
        /// host -> "ok=N changed=N unreachable=N failed=N skipped=N ..." from the play recap.
        var recap: [String: [String: Int]]
    }

    func play(_ playbook: String, inventory: String, extra: [String] = []) throws -> Outcome {
        let started = Date()
        let verbose = ProcessInfo.processInfo.environment["PGSW_ANSIBLE_DUMP"] != nil ? ["-v"] : []
        // The wave size is a command-line variable: `serial` is read before any host's variables exist.
        let output = try ProcessRunner.run("/usr/bin/ansible-playbook", ["-i", inventory, "-e", "pg_ssl_wizard_wave=1",
                                                                          playbooks + "/" + playbook] + extra + verbose,
                                           environment: ["ANSIBLE_CONFIG": playbooks + "/ansible.cfg", "ANSIBLE_NOCOLOR": "1",
                                                         "ANSIBLE_LOCAL_TEMP": directory + "/ansible-tmp", "HOME": directory],
                                           inheritEnvironment: true, timeoutSeconds: 600)
        let text = output.stdout + output.stderr
        if let dump = ProcessInfo.processInfo.environment["PGSW_ANSIBLE_DUMP"] {
            try? text.write(toFile: dump + "-\(playbook)-\(Int(Date().timeIntervalSince1970 * 1000)).txt", atomically: true, encoding: .utf8)
        }
        var recap: [String: [String: Int]] = [:]
        if let start = text.range(of: "PLAY RECAP") {
            for line in text[start.upperBound...].split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let host = parts[0].trimmingCharacters(in: .whitespaces)
                var counts: [String: Int] = [:]
                for pair in parts[1].split(separator: " ") {
                    let kv = pair.split(separator: "=")
                    if kv.count == 2, let value = Int(kv[1]) { counts[String(kv[0])] = value }
                }
                if !counts.isEmpty { recap[host] = counts }
            }
        }
        return Outcome(exitCode: output.exitCode, output: text, seconds: Date().timeIntervalSince(started), recap: recap)
    }

    /// `status --json` for a host's cluster, as the wizard that ran there sees it (its state directory).
    func status(_ host: String) throws -> [String: Any] {
        let output = try ProcessRunner.run(directory + "/\(host)/pg-ssl-wizard", ["status", clusters[host]!.socketConninfo, "--json"],
                                           as: clusters[host]!.local.owner,
                                           environment: ["XDG_STATE_HOME": directory + "/\(host)/state"], inheritEnvironment: true)
        return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]) ?? ["stderr": output.stderr]
    }

    func verdict(_ host: String) throws -> String {
        try status(host)["verdict"] as? String ?? "(no verdict)"
    }
}
