import ArgumentParser
import ClusterFacts
import HBA

struct HBARewriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite",
        abstract: "Show the hostssl rewrite as a diff with a reason per line. Writes nothing.")

    @OptionGroup var input: HBAFileOptions
    @Flag(name: .customLong("include-loopback"), help: "Also convert loopback-only rules.") var includeLoopback = false
    @Flag(name: .customLong("add-reject"), help: "Append hostnossl ... reject lines for an explicit refusal.") var addReject = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let document = try failingWithUnknown { try input.document() }
        let result = HostsslRewriter.rewrite(document, policy: RewritePolicy(includeLoopback: includeLoopback, addRejectLines: addReject),
                                             files: input.files)
        print(json ? HBARender.json(RewriteReport(result, loadProblem: document.loadProblem)) : RewriteReport(result, loadProblem: document.loadProblem).text)
        if !document.isLoadable { throw ExitCode(1) }
    }
}
