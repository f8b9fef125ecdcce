import ArgumentParser

struct HBACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hba",
        abstract: "Read a pg_hba.conf the way PostgreSQL does: explain, match, rewrite, lint (read-only, no server needed).",
        subcommands: [HBAExplainCommand.self, HBAMatchCommand.self, HBARewriteCommand.self, HBALintCommand.self])
}
