import ArgumentParser
import Foundation

@main
struct PgSSLWizard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pg-ssl-wizard",
        abstract: "Take a PostgreSQL server from \"SSL is configured\" to \"SSL is enforced and proven\".",
        version: BuildStamp.versionText,
        subcommands: [OpenWizardCommand.self, StatusCommand.self, ClientsCommand.self, PlanCommand.self, ApplyCommand.self, ResumeCommand.self, KeepCommand.self, RollbackCommand.self, WatchdogCommand.self, CertsCommand.self, HBACommand.self, PracticeCommand.self],
        defaultSubcommand: OpenWizardCommand.self)

    // libpq is already loading when this starts, for a command that connects (Sources/CWizardStart).

    /// ArgumentParser's own, but for a command's exit code (`status`'s 1
    /// and 2, `apply`'s 11...), which has no message: ArgumentParser builds
    /// the command's usage text before it finds that out, about 0.3 ms at
    /// the end of every such run.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
