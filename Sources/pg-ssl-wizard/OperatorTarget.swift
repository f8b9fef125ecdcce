import Foundation
import PostgresClient

/// The connection string from the command line as a target, with one
/// warning when it carries a password: any local user can read a process's
/// arguments (`ps`), so the password belongs in a password file.
func operatorTarget(_ conninfo: String) throws -> ConnectionTarget {
    let target = try ConnectionTarget(conninfo)
    if target.carriesPassword && !PasswordWarning.given {
        PasswordWarning.given = true
        TerminalText.write("pg-ssl-wizard: warning: \(PasswordWarning.text)\n", to: .standardError)
    }
    return target
}

enum PasswordWarning {
    nonisolated(unsafe) static var given = false
    static let text = "the connection string on the command line holds a password, which other local users can read in the process list; "
        + "put it in ~/.pgpass (or a file named by PGPASSFILE, mode 0600) and leave it out of the argument"
}
