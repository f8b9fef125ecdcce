import ClusterFacts
import Executor
import Foundation
import HBA
import HostIO
import PostgresClient
import Sandbox
import TestSupport

/// How the cluster under test reads pg_hba.conf: its version, build and ssl state.
func parseContext(for cluster: TestCluster, sslEnabled: Bool, interfaceNames: Set<String>?) -> ParseContext {
    let build = cluster.local.binaries.configureFlags.map(BuildFeatures.init(configureFlags:)) ?? .typicalLinux
    return ParseContext(syntax: ServerSyntax(major: cluster.version.major), build: build, sslEnabled: sslEnabled,
                        interfaceNames: interfaceNames)
}

/// Network interface names of a namespace (nil: the host's).
func interfaceNames(namespace: String? = nil) throws -> Set<String> {
    let arguments = (namespace.map { ["-n", $0] } ?? []) + ["-j", "link", "show"]
    let output = try ProcessRunner.checked("ip", arguments).stdout
    struct Link: Decodable { var ifname: String }
    return Set(try JSONDecoder().decode([Link].self, from: Data(output.utf8)).map(\.ifname))
}

/// The auxiliary files the generated lines refer to, next to pg_hba.conf.
func writeAuxiliaryFiles(_ cluster: TestCluster) throws {
    let directory = cluster.dataDirectory
    let owner = cluster.local.owner
    try LocalCluster.writeOwned(directory + "/users.txt", "# the team\nalice, bob\ncarol\n", owner: owner, mode: 0o600)
    try LocalCluster.writeOwned(directory + "/dbs.txt", "db1 \"db 2\"\n", owner: owner, mode: 0o600)
    try LocalCluster.writeOwned(directory + "/extra.conf", "host all extra 10.9.0.0/16 md5\nhost bad\n", owner: owner, mode: 0o600)
    try FileManager.default.createDirectory(atPath: directory + "/conf.d", withIntermediateDirectories: true)
    chown(directory + "/conf.d", owner.uid, owner.gid)
    try LocalCluster.writeOwned(directory + "/conf.d/10-a.conf", "hostssl all a 10.1.0.0/16 scram-sha-256\n", owner: owner, mode: 0o600)
    try LocalCluster.writeOwned(directory + "/conf.d/20-b.conf", "host all b 10.2.0.0/16 peer\n", owner: owner, mode: 0o600)
    try LocalCluster.writeOwned(directory + "/conf.d/.hidden.conf", "host all h all trust\n", owner: owner, mode: 0o600)
    try LocalCluster.writeOwned(directory + "/conf.d/notes.txt", "not a rule\n", owner: owner, mode: 0o600)
}
