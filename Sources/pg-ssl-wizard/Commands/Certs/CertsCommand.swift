import ArgumentParser

struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Step 1: inspect the server's certificate, key and CA; generate or import new ones.",
        subcommands: [CertsInspectCommand.self, CertsGenerateCommand.self, CertsImportCommand.self])
}
