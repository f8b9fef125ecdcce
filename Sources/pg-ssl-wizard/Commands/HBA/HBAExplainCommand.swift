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
        let loadable: Bool
        if json {
            let document = try failingWithUnknown { try input.document() }
            print(HBARender.json(FileRulesView.shownRows(of: document)))
            loadable = document.isLoadable
        } else {
            let files = input.files, context = input.context
            let bytes = try failingWithUnknown { try input.bytes(through: files) }
            let (table, problem) = HBARender.FileRulesTable.of(path: input.absolute, bytes: bytes, context: context, files: files)
            var output = TerminalLines(to: .standardOutput)
            table.render(indent: "") { output.append(bytes: $0) }
            output.flush()
            loadable = problem == nil
        }
        // Everything is written: the process ends here rather than first
        // freeing what was read one piece at a time.
        Foundation.exit(loadable ? 0 : 1)
    }
}
