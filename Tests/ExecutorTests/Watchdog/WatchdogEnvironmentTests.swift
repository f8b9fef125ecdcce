import Foundation
@testable import Executor
import Testing

/// What of the wizard's environment reaches the revert watchdog: HOME, and a
/// Kerberos ticket cache or configuration only while it is this user's and
/// nobody else can write or replace it (the watchdog reads them later, as root).
struct WatchdogEnvironmentTests {
    /// A directory of the test's own, 0700, with a 0600 file in it, and what else the case needs.
    static func withFiles(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgsw-wenv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/own", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: directory + "/writable", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        chmod(directory + "/writable", 0o666)
        FileManager.default.createFile(atPath: directory + "/others", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/own")
        try FileManager.default.createDirectory(atPath: directory + "/open", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        chmod(directory + "/open", 0o777)
        FileManager.default.createFile(atPath: directory + "/open/own", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        try FileManager.default.createDirectory(atPath: directory + "/sticky", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        chmod(directory + "/sticky", 0o1777)
        FileManager.default.createFile(atPath: directory + "/sticky/own", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        // Guarded itself, inside a directory anyone can rename things in: "open/inner" can be
        // replaced by anyone's directory, with anyone's "own" in it.
        try FileManager.default.createDirectory(atPath: directory + "/open/inner", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: directory + "/open/inner/own", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        // A link to a guarded directory, in a guarded directory: still a name that leads elsewhere.
        try FileManager.default.createSymbolicLink(atPath: directory + "/linked", withDestinationPath: directory + "/sticky")
        // Not root's or this user's (nobody's), not writable by others: its owner can replace what is in it.
        try FileManager.default.createDirectory(atPath: directory + "/nobodys", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: directory + "/nobodys/own", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        try #require(chown(directory + "/others", 65534, 65534) == 0 && chown(directory + "/nobodys", 65534, 65534) == 0,
                     "the cases owned by someone else need root")
        try body(directory)
    }

    @Test func aTicketCachePassesOnlyWhileItIsThisUsersAlone() throws {
        try Self.withFiles { directory in
            let cases: [(String, Bool)] = [
                ("FILE:\(directory)/own", true),
                ("\(directory)/own", true),
                ("DIR::\(directory)/own", true),
                ("FILE:\(directory)/sticky/own", true),
                ("KEYRING:persistent:0", true),
                ("KEYRING:persistent", true),
                ("KEYRING:session:cache", true),
                ("KEYRING:legacy", true),
                ("KEYRING:persistent:1000", false),
                ("KEYRING:", false),
                ("KCM:0", true),
                ("KCM:", true),
                ("KCM:0:named", true),
                ("KCM:1000", false),
                ("FILE:\(directory)/writable", false),
                ("FILE:\(directory)/others", false),
                ("FILE:\(directory)/link", false),
                ("FILE:\(directory)/open/own", false),
                ("FILE:\(directory)/missing", false),
                ("FILE:relative/cache", false),
                ("MEMORY:cache", false),
                ("FILE:\(directory)/open/inner/own", false),
                ("FILE:\(directory)/linked/own", false),
                ("FILE:\(directory)/nobodys/own", false),
                ("FILE:\(directory)/own/", false),
                ("FILE:\(directory)//own", false),
                ("FILE:\(directory)/sticky/../own", false),
                ("FILE:\(directory)/./own", false),
            ]
            for (cache, passed) in cases {
                let environment = WatchdogEnvironment.connecting(["KRB5CCNAME": cache, "HOME": "/root", "PGPASSWORD": "secret", "PATH": "/tmp"])
                // Turned down: an empty cache of the watchdog's own, not Kerberos's default file in /tmp.
                #expect(environment["KRB5CCNAME"] == (passed ? cache : WatchdogEnvironment.noTicketCache), "\(cache)")
                #expect(environment["HOME"] == "/root" && environment["PGPASSWORD"] == nil && environment["PATH"] == nil)
                let refused = WatchdogEnvironment.refused(["KRB5CCNAME": cache])
                #expect(refused.map(\.name) == (passed ? [] : ["KRB5CCNAME"]) && refused.allSatisfy { $0.replacement == WatchdogEnvironment.noTicketCache },
                        "\(cache)")
            }
            #expect(WatchdogEnvironment.connecting(["HOME": "/root"])["KRB5CCNAME"] == nil, "none named, none set: Kerberos's default, as in the wizard")
        }
    }

    @Test func aKerberosConfigurationPassesOnlyIfEveryFileDoes() throws {
        try Self.withFiles { directory in
            #expect(WatchdogEnvironment.connecting(["KRB5_CONFIG": "\(directory)/own:\(directory)/sticky/own"])["KRB5_CONFIG"] != nil)
            #expect(WatchdogEnvironment.connecting(["KRB5_CONFIG": "\(directory)/own:\(directory)/writable"])["KRB5_CONFIG"] == nil)
            #expect(WatchdogEnvironment.connecting(["KRB5_CONFIG": "\(directory)/own:"])["KRB5_CONFIG"] == nil, "an empty entry")
            #expect(WatchdogEnvironment.connecting(["KRB5_CONFIG": "\(directory)/open/inner/own"])["KRB5_CONFIG"] == nil)
            let refused = WatchdogEnvironment.refused(["KRB5_CONFIG": "\(directory)/others"])
            #expect(refused.map(\.name) == ["KRB5_CONFIG"] && refused.first?.replacement == nil, "unset: the system's configuration")
        }
    }

    /// The watchdog judges the values the wizard passed before each attempt:
    /// a cache turned down once (replaced mid-renewal, made writable) is used
    /// again once it is the user's alone again. Before, the first refusal
    /// replaced the variable for good.
    @Test func eachAttemptJudgesThePassedValuesAfresh() throws {
        try Self.withFiles { directory in
            let passed = ["KRB5CCNAME": "FILE:\(directory)/own", "KRB5_CONFIG": "\(directory)/own"]
            #expect(WatchdogEnvironment.forAttempt(passed).map { "\($0.name)=\($0.value ?? "unset") \($0.refused)" }
                    == ["KRB5CCNAME=FILE:\(directory)/own false", "KRB5_CONFIG=\(directory)/own false"])
            chmod(directory + "/own", 0o666)
            #expect(WatchdogEnvironment.forAttempt(passed).map { "\($0.name)=\($0.value ?? "unset") \($0.refused)" }
                    == ["KRB5CCNAME=\(WatchdogEnvironment.noTicketCache) true", "KRB5_CONFIG=unset true"])
            chmod(directory + "/own", 0o600)
            #expect(WatchdogEnvironment.forAttempt(passed).allSatisfy { !$0.refused && $0.value == passed[$0.name] })
        }
    }
}
