import ArgumentParser
import Executor
import Foundation

/// The revert watchdog's process: started by a run, never by hand. Its
/// orders come on standard input and the run's lock as descriptor 3.
struct WatchdogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchdog", abstract: "(internal) the revert watchdog a run starts before its new rules go live.",
        shouldDisplay: false)

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        guard let orders = try? RevertWatchdog.decode(Array(input)) else {
            TerminalText.write("pg-ssl-wizard watchdog: started without a run's orders; this command is started by the wizard itself\n", to: .standardError)
            throw ExitCode(3)
        }
        throw ExitCode(RevertWatchdog.run(orders))
    }
}
