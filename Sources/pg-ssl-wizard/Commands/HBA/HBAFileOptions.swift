import ArgumentParser
import Executor
import HBA

/// The file and the server it is read for, shared by every `hba` subcommand.
struct HBAFileOptions: ParsableArguments {
    @Argument(help: "The pg_hba.conf to read.")
    var file: String

    @Option(name: .customLong("server-version"), help: "Major version of the server that will read the file (13-18).")
    var serverVersion: Int = 18

    @Flag(name: .customLong("ssl-off"), help: "Read the file as a server with ssl = off does (hostssl lines get a warning).")
    var sslOff = false

    @Option(name: .customLong("without"), parsing: .upToNextOption,
            help: "Build features the server lacks: gssapi, ldap, pam, ssl (methods then fail as unsupported).")
    var missingFeatures: [String] = []

    func validate() throws {
        guard (13...18).contains(serverVersion) else {
            throw ValidationError("--server-version must be 13 to 18, not \(serverVersion)")
        }
        for feature in missingFeatures where !["gssapi", "ldap", "pam", "ssl"].contains(feature) {
            throw ValidationError("unknown build feature \"\(feature)\"; use gssapi, ldap, pam or ssl")
        }
    }

    var context: ParseContext {
        var build = BuildFeatures.typicalLinux
        if missingFeatures.contains("gssapi") { build.gssapi = false }
        if missingFeatures.contains("ldap") { build.ldap = false }
        if missingFeatures.contains("pam") { build.pam = false }
        if missingFeatures.contains("ssl") { build.ssl = false }
        // The file is read as this host's server reads it: an IPv6 zone must name one of this host's interfaces.
        return ParseContext(syntax: ServerSyntax(major: serverVersion), build: build, sslEnabled: !sslOff,
                            interfaceNames: LocalInterfaces.names())
    }

    var absolute: String { file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file }

    /// As root, the file and what it includes are read as the owner of its
    /// directory (the server's user), as the server would read them.
    var files: any FileSource { ServerUserFileSource.forServer(owner: OSUser.owner(of: (absolute as NSString).deletingLastPathComponent)) }

    /// Reads and parses the file; an unreadable file is bad input.
    func document() throws -> HBADocument {
        let files = self.files
        return HBADocument(path: absolute, bytes: try bytes(through: files), context: context, files: files)
    }

    /// The file's bytes, for a command that parses them as it goes.
    func bytes(through files: any FileSource) throws -> [UInt8] {
        switch files.read(absolute) {
        case .failure(let reason, _):
            throw HBACommandError.unreadable(path: file, reason: reason)
        case .contents(let bytes):
            return bytes
        }
    }
}

import ClusterFacts
import Foundation
import HostIO
import PlanningInputs

enum HBACommandError: Error, OperatorFacingError {
    case unreadable(path: String, reason: String)

    var operatorMessage: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason); check the path and that this user may read it"
        }
    }
}
