import ArgumentParser
import ClusterFacts
import HBA

struct HBALintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Review the file for security problems, each with a one-line fix. Exit 1 when it has errors.")

    @OptionGroup var input: HBAFileOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let document = try failingWithUnknown { try input.document() }
        let findings = HBALinter.lint(document)
        if json {
            print(HBARender.json(findings))
        } else if findings.isEmpty {
            print("no findings")
        } else {
            for finding in findings {
                print("\(finding.file):\(finding.lineNumber): \(finding.severity.rawValue) [\(finding.code)] \(finding.message)")
                print("    fix: \(finding.fix)")
            }
        }
        if findings.contains(where: { $0.severity == .error }) || !document.isLoadable { throw ExitCode(1) }
    }
}
