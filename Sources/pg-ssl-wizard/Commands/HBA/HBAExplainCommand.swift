import ArgumentParser
import ClusterFacts
import Foundation
import HBA

struct HBAExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print the rules in the shape of pg_hba_file_rules, errors included. Exit 1 when the file has errors.")

    @OptionGroup var input: HBAFileOptions

    @Flag(help: "Print JSON (one object per row, the view's column names).")
    var json = false

    func run() throws {
        let document = try failingWithUnknown { try input.document() }
        let rows = FileRulesView.rows(of: document)
        if json {
            print(HBARender.json(rows))
        } else {
            var output = TerminalLines(to: .standardOutput)
            HBARender.textTable(rows).render(indent: "") { output.append(bytes: $0) }
            output.flush()
        }
        // Everything is written: the process ends here rather than first
        // freeing a large file's rules, tokens and rows one by one.
        Foundation.exit(document.isLoadable ? 0 : 1)
    }
}
