import ArgumentParser

@main
struct PgSSLWizard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pg-ssl-wizard",
        abstract: "Take a PostgreSQL server from \"SSL is configured\" to \"SSL is enforced and proven\".",
        version: BuildStamp.versionText,
        subcommands: [OpenWizardCommand.self, StatusCommand.self, ClientsCommand.self, PlanCommand.self, ApplyCommand.self, ResumeCommand.self, KeepCommand.self, RollbackCommand.self, WatchdogCommand.self, CertsCommand.self, HBACommand.self, PracticeCommand.self],
        defaultSubcommand: OpenWizardCommand.self)

    // libpq is already loading when this starts, for a command that connects (Sources/CWizardStart).
}
