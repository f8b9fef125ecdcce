import ArgumentParser
import PostgresClient

@main
struct PgSSLWizard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pg-ssl-wizard",
        abstract: "Take a PostgreSQL server from \"SSL is configured\" to \"SSL is enforced and proven\".",
        version: BuildStamp.versionText,
        subcommands: [OpenWizardCommand.self, StatusCommand.self, ClientsCommand.self, PlanCommand.self, ApplyCommand.self, ResumeCommand.self, KeepCommand.self, RollbackCommand.self, WatchdogCommand.self, CertsCommand.self, HBACommand.self, PracticeCommand.self],
        defaultSubcommand: OpenWizardCommand.self)

    static func main() {
        if mayConnect(CommandLine.arguments.dropFirst()) { LibraryLoading.loadLibpqInBackground() }
        main(nil)
    }

    /// Whether the command line is for a command that connects (libpq is then
    /// loaded while the arguments are parsed). Only a hint: a command left out
    /// here that does connect loads libpq at its first call, as every command would.
    static func mayConnect(_ arguments: ArraySlice<String>) -> Bool {
        guard let first = arguments.first else { return true }
        return !["hba", "certs", "help", "-h", "--help", "--version", "--generate-completion-script", "--experimental-dump-help"].contains(first)
    }
}
