import ArgumentParser
import ClusterFacts
import HBA

struct HBAMatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Which line admits (or refuses) a connection attempt, and why earlier lines did not match.",
        discussion: """
            Facts that are not in the file (role membership, the server's interfaces, DNS) are \
            taken only from the options below; anything not given is reported as "depends on ...".
            """)

    @OptionGroup var input: HBAFileOptions

    @Flag(help: "A unix-socket connection.") var local = false
    @Option(help: "The client's IP address (TCP).") var address: String?
    @Flag(help: "The connection uses SSL.") var ssl = false
    @Flag(help: "The connection uses GSSAPI encryption.") var gss = false
    @Flag(name: .customLong("client-cert"), help: "The client presents a certificate the server's ssl_ca_file accepts (with --ssl).")
    var clientCertificate = false
    @Option(help: "Role name.") var user: String
    @Option(help: "Database name.") var database: String
    @Option(help: "physical or logical.") var replication: ConnectionAttempt.Replication?
    @Option(name: .customLong("member-of"), help: "A role the user belongs to (repeat; giving any makes the list complete).")
    var memberOf: [String] = []
    @Option(name: .customLong("interface"), help: "A server interface as ADDRESS/PREFIX, for samehost/samenet (repeat).")
    var interfaces: [String] = []
    @Option(name: .customLong("client-hostname"), help: "The client's DNS name (reverse and forward agree).")
    var clientHostname: String?
    @Flag(name: .customLong("no-client-hostname"), help: "The client address has no DNS name.")
    var noClientHostname = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard local != (address != nil) else { throw ValidationError("give exactly one of --local or --address IP") }
        if let address, IPAddress(numeric: address) == nil { throw ValidationError("--address \(address) is not an IP address") }
        if clientCertificate && !ssl { throw ValidationError("--client-cert needs --ssl: a certificate is only presented in a TLS handshake") }
        if local, ssl || gss { throw ValidationError("--ssl and --gss need --address: unix sockets are never encrypted") }
        for interface in interfaces where Self.parseInterface(interface) == nil {
            throw ValidationError("--interface \(interface) is not ADDRESS/PREFIX")
        }
    }

    static func parseInterface(_ text: String) -> NetworkInterface? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = IPAddress(numeric: String(parts[0])), let bits = Int(parts[1]),
              let mask = IPAddress.mask(bits: bits, family: address.family) else { return nil }
        return NetworkInterface(address: address, netmask: mask)
    }

    func run() throws {
        let document = try failingWithUnknown { try input.document() }
        let transport: ConnectionAttempt.Transport = local ? .unixSocket : .tcp(IPAddress(numeric: address!)!)
        let attempt = ConnectionAttempt(transport: transport, ssl: ssl, gssEncrypted: gss, database: database, user: user,
                                        replication: replication ?? .none, clientCertificate: clientCertificate)
        let member = Set(memberOf), userName = user
        let lookup: HostnameLookup? = clientHostname.map { .name($0, forwardConfirms: true) } ?? (noClientHostname ? .noName : nil)
        let environment = MatchEnvironment(
            // The connecting role exists and, like every role, is a member of itself.
            isMember: { candidate, role in
                if candidate == role { return true }
                return member.isEmpty ? nil : candidate == userName && member.contains(role)
            },
            interfaces: interfaces.isEmpty ? nil : interfaces.compactMap(Self.parseInterface),
            lookupHostname: { _ in lookup })
        let result = Matcher(document: document, environment: environment).match(attempt)
        print(json ? HBARender.json(MatchReport(result)) : MatchReport(result).text)
        if !document.isLoadable { throw ExitCode(1) }
    }
}

extension ConnectionAttempt.Replication: ExpressibleByArgument {}
